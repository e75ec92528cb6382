package dev.writeback.relay.hashsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.relay.store.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredHashTest {
    private static final byte[] VECTOR_SALT = HexFormat.of().parseHex("181a3024085fcee2f70e");

    @TempDir
    Path dir;

    @Test
    void checksThePublishedVectorsPasswordAndRefusesOthers() {
        var stored = new StoredHash(MasterKey.loadOrCreate(dir, Map.of()), new SecureRandom());
        byte[] pph1 = Pph1.derive(Pph1.ntHash("Pa$$w0rd".toCharArray()), VECTOR_SALT);
        byte[] row = stored.wrap("t1", "guid:abc", VECTOR_SALT, pph1);
        assertThat(stored.matches("t1", "guid:abc", row, "Pa$$w0rd".toCharArray())).isTrue();
        assertThat(stored.matches("t1", "guid:abc", row, "Pa$$w0rD".toCharArray())).isFalse();
    }

    @Test
    void storedFormIsNeitherThePph1ValueNorTheNtHashAndIsBoundToTheUser() {
        var stored = new StoredHash(MasterKey.loadOrCreate(dir, Map.of()), new SecureRandom());
        byte[] nt = Pph1.ntHash("Pa$$w0rd".toCharArray());
        byte[] pph1 = Pph1.derive(nt, VECTOR_SALT);
        byte[] row = stored.wrap("t1", "guid:abc", VECTOR_SALT, pph1);
        String hex = HexFormat.of().formatHex(row);
        assertThat(hex).doesNotContain(HexFormat.of().formatHex(pph1)).doesNotContain(HexFormat.of().formatHex(nt));
        assertThat(new String(row, StandardCharsets.ISO_8859_1)).doesNotContain("PPH1");
        assertThat(stored.wrap("t1", "guid:abc", VECTOR_SALT, pph1)).isNotEqualTo(row);   // fresh relay salt and nonce
        assertThatThrownBy(() -> stored.matches("t1", "guid:other", row, "Pa$$w0rd".toCharArray()))
                .hasMessageContaining("authentication failed");
        assertThatThrownBy(() -> stored.matches("t2", "guid:abc", row, "Pa$$w0rd".toCharArray()))
                .hasMessageContaining("authentication failed");
    }

    @Test
    void anotherMasterKeyCannotOpenIt(@TempDir Path other) {
        byte[] pph1 = Pph1.derive(Pph1.ntHash("Pa$$w0rd".toCharArray()), VECTOR_SALT);
        byte[] row = new StoredHash(MasterKey.loadOrCreate(dir, Map.of()), new SecureRandom()).wrap("t1", "a", VECTOR_SALT, pph1);
        var thief = new StoredHash(MasterKey.loadOrCreate(other, Map.of()), new SecureRandom());
        assertThatThrownBy(() -> thief.matches("t1", "a", row, "Pa$$w0rd".toCharArray())).hasMessageContaining("authentication failed");
    }

    /** Prints the cost of one wrap with the production Argon2id parameters and of PBKDF2-HMAC-SHA256 at 600,000. */
    @Test
    void reportsTheCostOfOneWrap() {
        var stored = new StoredHash(MasterKey.loadOrCreate(dir, Map.of()), new SecureRandom());
        byte[] pph1 = Pph1.derive(Pph1.ntHash("Pa$$w0rd".toCharArray()), VECTOR_SALT);
        stored.wrap("t", "a", VECTOR_SALT, pph1);   // warm-up
        long start = System.nanoTime();
        int n = 5;
        for (int i = 0; i < n; i++) {
            stored.wrap("t", "a", VECTOR_SALT, pph1);
        }
        long argonMicros = (System.nanoTime() - start) / 1000 / n;
        var pbkdf2 = new PKCS5S2ParametersGenerator(new SHA256Digest());
        pbkdf2.init(Pph1.formatBytes(VECTOR_SALT, pph1), new byte[16], 600_000);
        start = System.nanoTime();
        pbkdf2.generateDerivedParameters(256);
        long pbkdf2Micros = (System.nanoTime() - start) / 1000;
        System.out.printf("hash-sync wrap cost: argon2id m=19MiB t=2 p=1 %d ms; pbkdf2-sha256 600k %d ms%n",
                argonMicros / 1000, pbkdf2Micros / 1000);
        assertThat(argonMicros).isPositive();
    }
}
