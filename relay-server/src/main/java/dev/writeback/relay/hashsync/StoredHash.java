package dev.writeback.relay.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.relay.store.MasterKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * What the relay keeps of one synced password: the agent's PPH1 value, wrapped again with Argon2id under a salt
 * of the relay's own, then sealed with the master key (AES-256-GCM, bound to tenant and anchor), so a row moved to
 * another user does not open, a stolen store without the master key holds only ciphertext, and a stolen store
 * with it holds only Argon2id outputs: neither an NT hash nor a PPH1 value that could be replayed.
 *
 * <p>Why Argon2id and not PBKDF2-HMAC-SHA256 at 600,000 iterations: both meet OWASP's floor, but Argon2id is
 * memory-hard (19 MiB per guess defeats GPU farms far better than iteration count) and costs the relay less CPU per
 * stored user (measured by {@code StoredHashTest} on the shared 2-core build machine under load: 676 ms per wrap
 * against 2,151 ms for PBKDF2 600k, both BouncyCastle), which matters for a full sync of 100,000 users: the relay
 * re-wraps only users whose change stamp moved, and the cost bounds full-sync speed (docs/hash-sync.md, limits). Parameters: OWASP's minimum
 * configuration m = 19 MiB, t = 2, p = 1, 32-byte output, 16-byte salt.
 *
 * <p>Plaintext inside the seal: {@code scheme u8 | memory KiB u32 | iterations u8 | relay salt 16 | agent salt 10
 * | Argon2id output 32}; the parameters travel with the value so they can be raised later without a migration.
 */
public final class StoredHash {
    /** Argon2id memory in KiB (19 MiB). */
    public static final int MEMORY_KIB = 19 * 1024;
    /** Argon2id passes. */
    public static final int PASSES = 2;
    private static final int SCHEME_ARGON2ID = 1;
    private static final int RELAY_SALT_BYTES = 16;
    private static final int OUTPUT_BYTES = 32;
    private static final int PLAIN_BYTES = 1 + 4 + 1 + RELAY_SALT_BYTES + Pph1.SALT_BYTES + OUTPUT_BYTES;

    private final MasterKey masterKey;
    private final SecureRandom random;
    private final int memoryKib;
    private final int passes;

    /** With the production parameters. */
    public StoredHash(MasterKey masterKey, SecureRandom random) {
        this(masterKey, random, MEMORY_KIB, PASSES);
    }

    /** With explicit Argon2id parameters (tests and benchmarks that measure the cost). */
    public StoredHash(MasterKey masterKey, SecureRandom random, int memoryKib, int passes) {
        this.masterKey = requireNonNull(masterKey, "masterKey");
        this.random = requireNonNull(random, "random");
        if (memoryKib < 8 || passes < 1 || passes > 255) {
            throw new IllegalArgumentException("Argon2id parameters: memory " + memoryKib + " KiB, passes " + passes
                    + " (expected: >= 8 KiB, 1..255 passes)");
        }
        this.memoryKib = memoryKib;
        this.passes = passes;
    }

    /** Wraps a PPH1 value (agent salt and 32-byte hash) for one user; the result is what the store holds. */
    public byte[] wrap(String tenantId, String anchor, byte[] agentSalt, byte[] pph1Hash) {
        byte[] relaySalt = new byte[RELAY_SALT_BYTES];
        random.nextBytes(relaySalt);
        byte[] output = argon2(Pph1.formatBytes(agentSalt, pph1Hash), relaySalt, memoryKib, passes);
        ByteBuffer plain = ByteBuffer.allocate(PLAIN_BYTES);
        plain.put((byte) SCHEME_ARGON2ID).putInt(memoryKib).put((byte) passes).put(relaySalt).put(agentSalt).put(output);
        try {
            return masterKey.encrypt(plain.array(), aad(tenantId, anchor));
        } finally {
            Arrays.fill(plain.array(), (byte) 0);
            Arrays.fill(output, (byte) 0);
        }
    }

    /**
     * Whether {@code password} is the one whose PPH1 value was wrapped into {@code stored}: NT hash → PPH1 with the
     * agent's salt → Argon2id with the relay's salt, compared in constant time.
     */
    public boolean matches(String tenantId, String anchor, byte[] stored, char[] password) {
        byte[] plain = masterKey.decrypt(stored, aad(tenantId, anchor));
        try {
            ByteBuffer in = ByteBuffer.wrap(plain);
            if (plain.length != PLAIN_BYTES || in.get() != SCHEME_ARGON2ID) {
                throw new IllegalStateException("stored hash: unknown scheme (expected: Argon2id, " + PLAIN_BYTES + " bytes)");
            }
            int memory = in.getInt();
            int rounds = in.get() & 0xff;
            byte[] relaySalt = new byte[RELAY_SALT_BYTES];
            byte[] agentSalt = new byte[Pph1.SALT_BYTES];
            byte[] expected = new byte[OUTPUT_BYTES];
            in.get(relaySalt).get(agentSalt).get(expected);
            byte[] nt = Pph1.ntHash(password);
            byte[] pph1 = Pph1.derive(nt, agentSalt);
            Arrays.fill(nt, (byte) 0);
            byte[] actual = argon2(Pph1.formatBytes(agentSalt, pph1), relaySalt, memory, rounds);
            Arrays.fill(pph1, (byte) 0);
            try {
                return MessageDigest.isEqual(expected, actual);
            } finally {
                Arrays.fill(expected, (byte) 0);
                Arrays.fill(actual, (byte) 0);
            }
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Spends the same time as a real check, for unknown users, so timing does not tell who is synced. */
    public void burn(char[] password) {
        byte[] nt = Pph1.ntHash(password);
        byte[] salt = new byte[Pph1.SALT_BYTES];
        byte[] pph1 = Pph1.derive(nt, salt);
        Arrays.fill(argon2(Pph1.formatBytes(salt, pph1), new byte[RELAY_SALT_BYTES], memoryKib, passes), (byte) 0);
        Arrays.fill(nt, (byte) 0);
        Arrays.fill(pph1, (byte) 0);
    }

    private static byte[] argon2(byte[] input, byte[] salt, int memoryKib, int passes) {
        try {
            var generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(memoryKib).withIterations(passes).withParallelism(1).withSalt(salt).build());
            byte[] out = new byte[OUTPUT_BYTES];
            generator.generateBytes(input, out);
            return out;
        } finally {
            Arrays.fill(input, (byte) 0);
        }
    }

    private static byte[] aad(String tenantId, String anchor) {
        return ("hash-sync\0" + requireNonNull(tenantId, "tenantId") + "\0" + requireNonNull(anchor, "anchor"))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "StoredHash[argon2id m=" + memoryKib + "KiB t=" + passes + "]";
    }
}
