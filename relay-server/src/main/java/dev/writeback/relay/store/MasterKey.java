package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AES-256 master key that encrypts package keys at rest: AES-256-GCM with a random 12-byte nonce and
 * caller-supplied associated data, through the JDK's {@code javax.crypto}. {@link #toString()} prints only where
 * the key came from.
 */
public final class MasterKey {
    /** Environment variable that holds the key as base64 of 32 bytes; it wins over the key file. */
    public static final String ENV_VAR = "WRITEBACK_MASTER_KEY";
    /** Name of the key file in the data directory (base64 text, owner-only permissions). */
    public static final String FILE_NAME = "master.key";

    private static final Logger logger = LoggerFactory.getLogger(MasterKey.class);
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte FORMAT = 1;   // first byte of every sealed value, so the scheme can change later
    private static final SecureRandom random = new SecureRandom();

    private final SecretKeySpec key;
    private final String source;

    private MasterKey(byte[] key, String source) {
        this.key = new SecretKeySpec(key, "AES");
        this.source = source;
    }

    /** Reads the key from {@value #ENV_VAR}, else from {@code dataDir/master.key}, creating that file on first use. */
    public static MasterKey loadOrCreate(Path dataDir, Map<String, String> env) {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(env, "env");
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null) {
            return fromBase64(fromEnv, ENV_VAR, "environment " + ENV_VAR);
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.notExists(file)) {
                createKeyFile(dataDir, file);
            }
            warnIfShared(file);
            return fromBase64(Files.readString(file, StandardCharsets.US_ASCII), file.toString(), "file " + file);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE,
                    "master key file: " + file + " cannot be read or created (expected: a readable file)", e);
        }
    }

    /** Wraps raw key bytes (32), which are copied. */
    static MasterKey of(byte[] key) {
        requireNonNull(key, "key");
        checkLength(key.length, "master key");
        return new MasterKey(key, "bytes");
    }

    /** Encrypts {@code plaintext} bound to {@code aad}; returns format byte, nonce and ciphertext with tag. */
    public byte[] encrypt(byte[] plaintext, byte[] aad) {
        requireNonNull(plaintext, "plaintext");
        requireNonNull(aad, "aad");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            byte[] sealed = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
            sealed[0] = FORMAT;
            System.arraycopy(nonce, 0, sealed, 1, NONCE_BYTES);
            cipher.doFinal(plaintext, 0, plaintext.length, sealed, 1 + NONCE_BYTES);
            return sealed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable in this JDK", e);
        }
    }

    /** Decrypts a value made by {@link #encrypt}; a changed value, wrong aad or wrong key throws CORRUPT. */
    public byte[] decrypt(byte[] sealed, byte[] aad) {
        requireNonNull(sealed, "sealed");
        requireNonNull(aad, "aad");
        int minimum = 1 + NONCE_BYTES + TAG_BITS / 8;
        if (sealed.length < minimum || sealed[0] != FORMAT) {
            throw new StoreException(StoreException.Kind.CORRUPT, "sealed value: " + sealed.length
                    + " bytes, format " + (sealed.length > 0 ? sealed[0] : -1)
                    + " (expected: >= " + minimum + " bytes, format " + FORMAT + ")");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new StoreException(StoreException.Kind.CORRUPT,
                    "sealed value: authentication failed (expected: sealed by this master key for this record)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable in this JDK", e);
        }
    }

    private static void createKeyFile(Path dataDir, Path file) throws IOException {
        OwnerOnly.createDirectories(dataDir);
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        byte[] text = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(key, (byte) 0);
        try {
            try (FileChannel channel = FileChannel.open(OwnerOnly.createFile(file), StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(text));
                channel.force(true);   // the key must reach the disk before anything is sealed with it
            }
            logger.info("Created master key file {}; back it up, without it stored package keys are lost", file);
        } catch (FileAlreadyExistsException e) {
            logger.debug("Master key file {} appeared concurrently; using it", file);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }

    private static void warnIfShared(Path file) throws IOException {
        var others = OwnerOnly.sharedWith(file);
        if (others.isPresent()) {
            logger.warn("Master key file {} is readable by others ({}); restrict it to its owner (chmod 600, or"
                    + " on Windows: icacls {} /inheritance:r /grant:r %USERNAME%:F)", file, others.get(), file);
        }
    }

    private static MasterKey fromBase64(String base64, String where, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {   // its message quotes a key character: not chained
            throw new StoreException(StoreException.Kind.CORRUPT, "master key in " + where
                    + ": not valid base64 (expected: base64 of " + KEY_BYTES + " bytes)");
        }
        try {
            checkLength(key.length, "master key in " + where);
            return new MasterKey(key, source);   // SecretKeySpec keeps its own copy
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static void checkLength(int length, String what) {
        if (length != KEY_BYTES) {
            throw new StoreException(StoreException.Kind.CORRUPT,
                    what + ": " + length + " bytes (expected: " + KEY_BYTES + ")");
        }
    }

    @Override
    public String toString() {
        return "MasterKey[" + source + "]";
    }
}
