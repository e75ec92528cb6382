package dev.writeback.protocol.hashsync;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.crypto.digests.MD4Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The PPH1 form of a password hash, compatible with Microsoft's password hash sync: NT hash (MD4 of the UTF-16LE
 * password) → upper-case hex → UTF-16LE (64 bytes) → PBKDF2-HMAC-SHA256 with a 10-byte per-user salt and 1,000
 * iterations → 32 bytes, written {@code v1;PPH1_MD4,<salt hex>,1000,<hash hex>;}.
 *
 * <p>1,000 iterations is the interoperable format, not a strong one: the relay wraps the value again with a slow
 * KDF before storing it. The NT hash itself never leaves the agent. No method here logs or prints its inputs.
 */
public final class Pph1 {
    /** Length of an NT hash. */
    public static final int NT_HASH_BYTES = 16;
    /** Length of the per-user salt. */
    public static final int SALT_BYTES = 10;
    /** PBKDF2 iterations of the format. */
    public static final int ITERATIONS = 1000;
    /** Length of the derived value. */
    public static final int HASH_BYTES = 32;

    private static final HexFormat HEX = HexFormat.of();

    private Pph1() {}

    /** A fresh random salt for one user. */
    public static byte[] newSalt(SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    /** The NT hash of a password: MD4 over its UTF-16LE encoding. The caller wipes {@code password}. */
    public static byte[] ntHash(char[] password) {
        requireNonNull(password, "password");
        byte[] utf16 = new byte[password.length * 2];
        for (int i = 0; i < password.length; i++) {
            utf16[2 * i] = (byte) password[i];
            utf16[2 * i + 1] = (byte) (password[i] >>> 8);
        }
        try {
            var md4 = new MD4Digest();
            md4.update(utf16, 0, utf16.length);
            byte[] out = new byte[NT_HASH_BYTES];
            md4.doFinal(out, 0);
            return out;
        } finally {
            Arrays.fill(utf16, (byte) 0);
        }
    }

    /** PBKDF2-HMAC-SHA256(UTF-16LE(upper-case hex(ntHash)), salt, 1000) → 32 bytes. */
    public static byte[] derive(byte[] ntHash, byte[] salt) {
        check(ntHash, NT_HASH_BYTES, "NT hash");
        check(salt, SALT_BYTES, "salt");
        char[] hex = HEX.withUpperCase().formatHex(ntHash).toCharArray();
        byte[] utf16 = new byte[hex.length * 2];
        for (int i = 0; i < hex.length; i++) {
            utf16[2 * i] = (byte) hex[i];   // hex digits are ASCII: high byte zero
        }
        Arrays.fill(hex, '\0');
        try {
            var generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
            generator.init(utf16, salt, ITERATIONS);
            byte[] key = ((KeyParameter) generator.generateDerivedParameters(HASH_BYTES * 8)).getKey();
            return key;
        } finally {
            Arrays.fill(utf16, (byte) 0);
        }
    }

    /** The textual form {@code v1;PPH1_MD4,<salt hex>,1000,<hash hex>;} (lower-case hex, as Microsoft writes it). */
    public static String format(byte[] salt, byte[] hash) {
        check(salt, SALT_BYTES, "salt");
        check(hash, HASH_BYTES, "hash");
        return "v1;PPH1_MD4," + HEX.formatHex(salt) + "," + ITERATIONS + "," + HEX.formatHex(hash) + ";";
    }

    /** The bytes of the textual form (ASCII), what the relay wraps again. The caller wipes the result. */
    public static byte[] formatBytes(byte[] salt, byte[] hash) {
        return format(salt, hash).getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses the textual form; refuses anything else with a message that names the part. */
    public static Parsed parse(String text) {
        requireNonNull(text, "PPH1 value");
        if (!text.startsWith("v1;PPH1_MD4,") || !text.endsWith(";")) {
            throw new IllegalArgumentException("PPH1 value: bad prefix or suffix (expected: v1;PPH1_MD4,<salt>,1000,<hash>;)");
        }
        String[] parts = text.substring("v1;PPH1_MD4,".length(), text.length() - 1).split(",", -1);
        if (parts.length != 3 || !parts[1].equals(Integer.toString(ITERATIONS))) {
            throw new IllegalArgumentException("PPH1 value: bad fields (expected: <salt hex>,1000,<hash hex>)");
        }
        byte[] salt = hex(parts[0], SALT_BYTES, "salt");
        byte[] hash = hex(parts[2], HASH_BYTES, "hash");
        return new Parsed(salt, hash);
    }

    private static byte[] hex(String text, int length, String what) {
        if (text.length() != length * 2 || !text.equals(text.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("PPH1 " + what + ": " + text.length() / 2 + " bytes (expected: " + length
                    + " bytes of lower-case hex)");
        }
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PPH1 " + what + ": not hex");
        }
    }

    private static void check(byte[] value, int length, String what) {
        requireNonNull(value, what);
        if (value.length != length) {
            throw new IllegalArgumentException(what + " length: " + value.length + " (expected: " + length + ")");
        }
    }

    /** A parsed PPH1 value. Its {@code toString} shows no byte of either field. */
    public record Parsed(byte[] salt, byte[] hash) {
        @Override
        public String toString() {
            return "Pph1.Parsed[****]";
        }
    }
}
