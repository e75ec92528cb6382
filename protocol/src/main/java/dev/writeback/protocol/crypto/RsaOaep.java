package dev.writeback.protocol.crypto;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.ProtocolException;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/** RSA-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017), for package keys and password fields. */
public final class RsaOaep {
    /** Largest plaintext one RSA-2048 OAEP-SHA-256 block holds: 256 - 2 * 32 - 2. */
    public static final int MAX_BLOCK_PLAINTEXT = 190;

    private static final String TRANSFORMATION = "RSA/ECB/OAEPPadding";
    private static final OAEPParameterSpec PARAMS =
            new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    private RsaOaep() {}

    /** Encrypts at most {@link #MAX_BLOCK_PLAINTEXT} bytes. */
    public static byte[] encrypt(PublicKey key, byte[] plaintext, SecureRandom random) {
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.ENCRYPT_MODE, key, PARAMS, random);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP encryption failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts one block; a wrong key or tampered block fails with BAD_TAG and says nothing more. Runs on the native
     * provider when one is healthy ({@link NativeRsa}); a key that provider does not take is opened by the JDK's.
     */
    public static byte[] decrypt(PrivateKey key, byte[] ciphertext) {
        Optional<Provider> fast = NativeRsa.provider();
        if (fast.isPresent()) {
            try {
                return decrypt(Cipher.getInstance(TRANSFORMATION, fast.get()), NativeRsa.nativeKey(fast.get(), key), ciphertext);
            } catch (InvalidKeyException | NoSuchAlgorithmException | NoSuchPaddingException
                    | InvalidAlgorithmParameterException e) {
                // this key's encoding is not one the native provider takes: the JDK's opens it below
            } catch (GeneralSecurityException e) {
                throw notSealedForThisKey();
            }
        }
        try {
            return decrypt(Cipher.getInstance(TRANSFORMATION), key, ciphertext);
        } catch (GeneralSecurityException e) {
            throw notSealedForThisKey();
        }
    }

    /** Which implementation opens blocks in this process, for diagnostics and benchmarks. */
    public static String privateKeyProvider() {
        return NativeRsa.description();
    }

    private static byte[] decrypt(Cipher c, PrivateKey key, byte[] ciphertext) throws GeneralSecurityException {
        c.init(Cipher.DECRYPT_MODE, key, PARAMS);
        return c.doFinal(ciphertext);
    }

    private static ProtocolException notSealedForThisKey() {
        return new ProtocolException(ErrorCode.BAD_TAG, "RSA-OAEP block: does not decrypt (expected: sealed for this agent's key)");
    }

    /** Wraps a package key for an agent's RSA public key. */
    public static byte[] wrap(PackageKey key, PublicKey agentKey, SecureRandom random) {
        return encrypt(agentKey, key.raw(), random);
    }

    /** Unwraps a package key with the agent's RSA private key. */
    public static PackageKey unwrap(int version, byte[] wrapped, PrivateKey agentKey) {
        byte[] raw = decrypt(agentKey, wrapped);
        try {
            return PackageKey.of(version, raw);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_TAG, "wrapped package key: wrong length (expected: 32 bytes)");
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }
}
