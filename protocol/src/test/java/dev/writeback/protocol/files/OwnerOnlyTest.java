package dev.writeback.protocol.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OwnerOnlyTest {

    @Test
    void posix_newFilesAreRw_newDirectoriesRwx_existingParentsUntouched() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path base = fs.getPath("/srv");
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));

            Path dir = OwnerOnly.createDirectories(base.resolve("a/b"));
            Path file = OwnerOnly.createFile(dir.resolve("key"));

            assertThat(perms(base.resolve("a"))).isEqualTo("rwx------");
            assertThat(perms(dir)).isEqualTo("rwx------");
            assertThat(perms(file)).isEqualTo("rw-------");
            assertThat(perms(base)).isEqualTo("rwxr-xr-x");
            assertThat(OwnerOnly.sharedWith(file)).isEmpty();
            assertThat(OwnerOnly.sharedWith(base)).hasValueSatisfying(v -> assertThat(v).contains("OTHERS_READ"));
        }
    }

    @Test
    void posix_directory_restrictsOneThatExistedWithWiderAccess() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path state = Files.createDirectories(fs.getPath("/var/lib/state"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));

            OwnerOnly.directory(state);

            assertThat(perms(state)).isEqualTo("rwx------");
        }
    }

    @Test
    void acl_newFileAndDirectoryAllowOnlyTheOwner_andTheDirectoryPassesItOn() throws IOException {
        try (FileSystem fs = windows()) {
            Path base = Files.createDirectories(fs.getPath("C:\\ProgramData"));
            UserPrincipal everyone = fs.getUserPrincipalLookupService().lookupPrincipalByName("Everyone");
            acl(base).setAcl(List.of(allow(everyone)));

            Path state = OwnerOnly.createDirectories(base.resolve("Writeback\\state"));
            Path key = OwnerOnly.createFile(state.resolve("identity.key"));

            UserPrincipal owner = acl(key).getOwner();
            assertThat(acl(key).getAcl()).containsExactly(AclEntry.newBuilder().setType(AclEntryType.ALLOW)
                    .setPrincipal(owner).setPermissions(EnumSet.allOf(AclEntryPermission.class)).build());
            for (Path dir : List.of(state, state.getParent())) {
                assertThat(acl(dir).getAcl()).singleElement().satisfies(entry -> {
                    assertThat(entry.principal()).isEqualTo(acl(dir).getOwner());
                    assertThat(entry.type()).isEqualTo(AclEntryType.ALLOW);
                    assertThat(entry.flags()).isEqualTo(Set.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT));
                });
            }
            assertThat(acl(base).getAcl()).containsExactly(allow(everyone));   // a parent that existed is kept
            assertThat(OwnerOnly.sharedWith(key)).isEmpty();
            assertThat(OwnerOnly.sharedWith(base)).hasValue("[Everyone]");
        }
    }

    @Test
    void acl_restrict_replacesAnAclThatGrantedOthers() throws IOException {
        try (FileSystem fs = windows()) {
            Path file = Files.createFile(fs.getPath("C:\\master.key"));
            UserPrincipal users = fs.getUserPrincipalLookupService().lookupPrincipalByName("Users");
            acl(file).setAcl(List.of(allow(users), allow(acl(file).getOwner())));
            assertThat(OwnerOnly.sharedWith(file)).hasValue("[Users]");

            OwnerOnly.restrict(file);

            assertThat(acl(file).getAcl()).extracting(AclEntry::principal).containsExactly(acl(file).getOwner());
            assertThat(OwnerOnly.sharedWith(file)).isEmpty();
        }
    }

    @Test
    void createNew_writesOnce_andRefusesToReplace() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path file = fs.getPath("/v1.rsa");
            OwnerOnly.createNew(file, "first".getBytes(StandardCharsets.UTF_8));

            assertThatThrownBy(() -> OwnerOnly.createNew(file, "second".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FileAlreadyExistsException.class);
            assertThat(Files.readString(file)).isEqualTo("first");
            assertThat(perms(file)).isEqualTo("rw-------");
        }
    }

    @Test
    void replace_swapsTheContent_ownerOnly_andLeavesNoTemporaryFile() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setAttributeViews("basic", "owner", "posix", "unix").build())) {
            Path file = fs.getPath("/state.json");
            Files.writeString(file, "old");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

            OwnerOnly.replace(file, "new".getBytes(StandardCharsets.UTF_8));

            assertThat(Files.readString(file)).isEqualTo("new");
            assertThat(perms(file)).isEqualTo("rw-------");
            assertThat(Files.exists(fs.getPath("/state.json.tmp"))).isFalse();
        }
    }

    @Test
    void destroy_deletesTheFile_andIsANoOpWhenAbsent() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = Files.writeString(fs.getPath("/v1.wrapped"), "secret");

            OwnerOnly.destroy(file);
            OwnerOnly.destroy(file);

            assertThat(Files.exists(file)).isFalse();
        }
    }

    @Test
    void noPermissionModel_filesAreCreatedAsTheyAre() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic").build())) {
            Path dir = OwnerOnly.createDirectories(fs.getPath("/data"));
            Path file = OwnerOnly.createFile(dir.resolve("relay.db"));

            assertThat(OwnerOnly.supported(file)).isFalse();
            assertThat(Files.exists(file)).isTrue();
            assertThat(OwnerOnly.sharedWith(file)).isEmpty();
        }
    }

    private static FileSystem windows() {
        return Jimfs.newFileSystem(Configuration.windows().toBuilder().setAttributeViews("basic", "owner", "acl").build());
    }

    private static AclFileAttributeView acl(Path path) {
        return Files.getFileAttributeView(path, AclFileAttributeView.class);
    }

    private static AclEntry allow(UserPrincipal principal) {
        return AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(principal)
                .setPermissions(AclEntryPermission.READ_DATA).build();
    }

    private static String perms(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
