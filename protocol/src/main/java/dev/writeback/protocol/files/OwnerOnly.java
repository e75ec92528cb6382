package dev.writeback.protocol.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Files and directories that only their owner can use: keys, the store, hashes, the service account's password.
 *
 * <p>Where the file system has POSIX permissions, files get {@code rw-------} and directories {@code rwx------}.
 * Where it has ACLs instead (Windows, NTFS), the ACL is replaced by one entry that allows the owner everything; a
 * directory's entry is inherited by what is created in it later, so files written by other code there (SQLite's
 * journal, logs) are owner-only too. A new file is restricted while it is still empty, before anything is written
 * to it. On a file system with neither, files are created as they are (FAT, some network shares).
 */
public final class OwnerOnly {
    private static final List<AclEntryFlag> INHERITED =
            List.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT);

    private OwnerOnly() {}

    /** Creates a new empty owner-only file; fails with {@code FileAlreadyExistsException} if it exists. */
    public static Path createFile(Path file) throws IOException {
        if (posix(file.toAbsolutePath().getParent())) {
            return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.createFile(file);
        restrict(file);
        return file;
    }

    /** Creates a directory and its missing parents; each one created here is owner-only (existing ones are kept). */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path existing = absolute;
        while (existing != null && Files.notExists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && posix(existing)) {
            return Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.createDirectories(dir);
        for (Path created = absolute; created != null && !created.equals(existing); created = created.getParent()) {
            restrict(created);
        }
        return dir;
    }

    /** Makes an existing file or directory owner-only. */
    public static void restrict(Path path) throws IOException {
        boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        if (posix(path)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
            return;
        }
        AclFileAttributeView acl = Files.getFileAttributeView(path, AclFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (acl == null) {
            return;
        }
        AclEntry.Builder entry = AclEntry.newBuilder()
                .setType(AclEntryType.ALLOW)
                .setPrincipal(acl.getOwner())
                .setPermissions(EnumSet.allOf(AclEntryPermission.class));
        if (directory) {
            entry.setFlags(EnumSet.copyOf(INHERITED));
        }
        acl.setAcl(List.of(entry.build()));
    }

    /**
     * Creates {@code dir} and its missing parents as {@link #createDirectories} does, and makes {@code dir} itself
     * owner-only even when it existed (a state directory made by hand, or by an installer, with wider access).
     */
    public static Path directory(Path dir) throws IOException {
        createDirectories(dir);
        restrict(dir);
        return dir;
    }

    /**
     * Who other than the owner may use {@code path}, for a warning: the POSIX permissions beyond the owner's
     * ({@code [GROUP_READ, OTHERS_READ]}), or the other principals an ACL allows; empty when it is owner-only or
     * the file system has neither.
     */
    public static Optional<String> sharedWith(Path path) throws IOException {
        if (posix(path)) {
            var others = EnumSet.copyOf(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
            others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            return others.isEmpty() ? Optional.empty() : Optional.of(others.toString());
        }
        AclFileAttributeView acl = Files.getFileAttributeView(path, AclFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (acl == null) {
            return Optional.empty();
        }
        var owner = acl.getOwner();
        var others = new TreeSet<String>();
        for (AclEntry entry : acl.getAcl()) {
            if (entry.type() == AclEntryType.ALLOW && !entry.principal().equals(owner)) {
                others.add(entry.principal().getName());
            }
        }
        return others.isEmpty() ? Optional.empty() : Optional.of(others.toString());
    }

    /** Whether {@code path} can be made owner-only here (POSIX permissions or ACLs). */
    public static boolean supported(Path path) {
        return path != null && (posix(path)
                || Files.getFileAttributeView(path, AclFileAttributeView.class, LinkOption.NOFOLLOW_LINKS) != null);
    }

    /**
     * Writes a file that must not exist yet, owner-only, and forces it to disk. Fails with
     * {@link java.nio.file.FileAlreadyExistsException} rather than replace an existing file.
     */
    public static void createNew(Path file, byte[] content) throws IOException {
        createFile(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
    }

    /**
     * Replaces {@code file} with an owner-only file holding {@code content}, through a sibling {@code .tmp} file
     * moved over it, so readers see the old content or the new, never half of one.
     */
    public static void replace(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createNew(tmp, content);
        moveAtomically(tmp, file);
    }

    /** Moves {@code source} over {@code target} atomically where the file system can, else replaces it. */
    public static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Overwrites a file with zeros, forces that to disk, then deletes it, so that deleted key material cannot be
     * read back from the blocks the file held. On copy-on-write or journaling file systems and on flash storage an
     * older copy may survive elsewhere on the device; full-disk encryption covers that case. No-op when absent.
     */
    public static void destroy(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(file);
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += channel.write(zeros, at);
            }
            channel.force(true);
        }
        Files.delete(file);
    }

    private static boolean posix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS) != null;
    }
}
