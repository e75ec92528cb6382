package dev.writeback.relay.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates files ({@code rw-------}) and directories ({@code rwx------}) only their owner can use, where POSIX. */
public final class OwnerOnly {
    private OwnerOnly() {}

    /** Creates a new empty file; fails with {@code FileAlreadyExistsException} if it exists. */
    public static Path createFile(Path file) throws IOException {
        if (!supported(file.toAbsolutePath().getParent())) {
            return Files.createFile(file);
        }
        return Files.createFile(file, attribute("rw-------"));
    }

    /** Creates a directory and its missing parents; new ones get {@code rwx------}. */
    public static Path createDirectories(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && Files.notExists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !supported(existing)) {
            return Files.createDirectories(dir);
        }
        return Files.createDirectories(dir, attribute("rwx------"));
    }

    /** Whether the file system holding {@code path} has POSIX permissions. */
    public static boolean supported(Path path) {
        return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix")
                && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    private static FileAttribute<?> attribute(String permissions) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
