package dev.writeback.relay.store;

import static dev.writeback.relay.store.StoreFixture.kind;
import static dev.writeback.relay.store.StoreFixture.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {
    private static final byte[] AAD = "agent-1|1".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dataDir;

    @Test
    void loadOrCreate_noEnv_createsOwnerOnlyFileAndReusesIt() throws IOException {
        MasterKey first = MasterKey.loadOrCreate(dataDir, Map.of());
        MasterKey second = MasterKey.loadOrCreate(dataDir, Map.of());

        Path file = dataDir.resolve(MasterKey.FILE_NAME);
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        assertThat(second.decrypt(first.encrypt(new byte[] {1, 2, 3}, AAD), AAD)).containsExactly(1, 2, 3);
        assumeThat(Files.getFileAttributeView(file, PosixFileAttributeView.class)).isNotNull();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void loadOrCreate_missingDataDir_isCreated() {
        Path nested = dataDir.resolve("a/b");

        MasterKey.loadOrCreate(nested, Map.of());

        assertThat(nested.resolve(MasterKey.FILE_NAME)).exists();
    }

    @Test
    void loadOrCreate_envVariable_winsOverFile() throws IOException {
        MasterKey.loadOrCreate(dataDir, Map.of());   // a file with another key
        byte[] raw = randomBytes(32);
        String base64 = Base64.getEncoder().encodeToString(raw);

        MasterKey fromEnv = MasterKey.loadOrCreate(dataDir, Map.of(MasterKey.ENV_VAR, base64 + "\n"));

        byte[] sealed = MasterKey.of(raw).encrypt(new byte[] {9}, AAD);
        assertThat(fromEnv.decrypt(sealed, AAD)).containsExactly(9);
        assertThat(fromEnv.toString()).contains(MasterKey.ENV_VAR).doesNotContain(base64);
    }

    @Test
    void loadOrCreate_envVariable_createsNoFile() {
        MasterKey.loadOrCreate(dataDir, Map.of(MasterKey.ENV_VAR, Base64.getEncoder().encodeToString(randomBytes(32))));

        assertThat(dataDir.resolve(MasterKey.FILE_NAME)).doesNotExist();
    }

    @Test
    void loadOrCreate_wrongLengthEnv_throwsWithoutKeyText() {
        String base64 = Base64.getEncoder().encodeToString(randomBytes(16));

        assertThatThrownBy(() -> MasterKey.loadOrCreate(dataDir, Map.of(MasterKey.ENV_VAR, base64)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining(MasterKey.ENV_VAR)
                .hasMessageContaining("16 bytes (expected: 32)")
                .message().doesNotContain(base64);
    }

    @Test
    void loadOrCreate_invalidBase64_throwsWithoutKeyText() {
        String text = "not-base64-secret!";

        assertThatThrownBy(() -> MasterKey.loadOrCreate(dataDir, Map.of(MasterKey.ENV_VAR, text)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining("not valid base64")
                .hasNoCause()
                .message().doesNotContain(text);
    }

    @Test
    void loadOrCreate_wrongLengthFile_throwsNamingTheFile() throws IOException {
        Path file = dataDir.resolve(MasterKey.FILE_NAME);
        Files.writeString(file, Base64.getEncoder().encodeToString(randomBytes(31)));

        assertThatThrownBy(() -> MasterKey.loadOrCreate(dataDir, Map.of()))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("31 bytes (expected: 32)");
    }

    @Test
    void loadOrCreate_unreadableFile_throwsUnavailable() throws IOException {
        Files.createDirectory(dataDir.resolve(MasterKey.FILE_NAME));   // a directory cannot be read as a key

        assertThatThrownBy(() -> MasterKey.loadOrCreate(dataDir, Map.of()))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.UNAVAILABLE))
                .hasMessageContaining("master key file");
    }

    @Test
    void decrypt_tamperedByte_throwsCorrupt() {
        MasterKey key = MasterKey.of(randomBytes(32));
        byte[] sealed = key.encrypt(randomBytes(32), AAD);

        for (int i = 1; i < sealed.length; i += 7) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> key.decrypt(tampered, AAD))
                    .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT));
        }
    }

    @Test
    void decrypt_otherAadOrKey_throwsCorrupt() {
        MasterKey key = MasterKey.of(randomBytes(32));
        byte[] sealed = key.encrypt(randomBytes(32), AAD);

        assertThatThrownBy(() -> key.decrypt(sealed, "agent-1|2".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT));
        assertThatThrownBy(() -> MasterKey.of(randomBytes(32)).decrypt(sealed, AAD))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT));
    }

    @Test
    void decrypt_truncated_throwsCorrupt() {
        MasterKey key = MasterKey.of(randomBytes(32));

        assertThatThrownBy(() -> key.decrypt(new byte[] {1, 2, 3}, AAD))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining("sealed value: 3 bytes");
    }

    @Test
    void encrypt_sameInput_usesFreshNonce() {
        MasterKey key = MasterKey.of(randomBytes(32));
        byte[] plaintext = randomBytes(32);

        assertThat(key.encrypt(plaintext, AAD)).isNotEqualTo(key.encrypt(plaintext, AAD))
                .hasSize(1 + 12 + 32 + 16);
    }

    @Test
    void toString_printsNoKey() throws IOException {
        MasterKey key = MasterKey.loadOrCreate(dataDir, Map.of());
        String base64 = Files.readString(dataDir.resolve(MasterKey.FILE_NAME)).strip();

        assertThat(key.toString()).startsWith("MasterKey[file ").doesNotContain(base64);
    }
}
