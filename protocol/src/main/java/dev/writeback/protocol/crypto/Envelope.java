package dev.writeback.protocol.crypto;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM sealing of a REQUEST or RESULT body (NIST SP 800-38D):
 * {@code key version u32 | nonce 12 bytes | ciphertext | tag 16 bytes}, with {@link EnvelopeContext} as AAD.
 */
public final class Envelope {
    /** GCM nonce length. */
    public static final int NONCE_BYTES = 12;
    /** GCM tag length. */
    public static final int TAG_BYTES = 16;
    /** Bytes added to the plaintext. */
    public static final int OVERHEAD = 4 + NONCE_BYTES + TAG_BYTES;

    private Envelope() {}

    /** Seals {@code plaintext} with a fresh random nonce. */
    public static byte[] seal(PackageKey key, EnvelopeContext context, byte[] plaintext, SecureRandom random) {
        requireNonNull(key, "key");
        requireNonNull(context, "context");
        requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.raw(), "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(context.aad(key.version()));
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(4 + NONCE_BYTES + ct.length).putInt(key.version()).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** The key version a sealed body claims, read before choosing the key. */
    public static int keyVersion(byte[] sealed) {
        requireNonNull(sealed, "sealed");
        if (sealed.length < OVERHEAD) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "sealed body length: " + sealed.length + " (expected: >= " + OVERHEAD + ")");
        }
        return ByteBuffer.wrap(sealed).getInt();
    }

    /** Opens a sealed body; a wrong key, context or any changed byte fails with BAD_TAG. */
    public static byte[] open(PackageKey key, EnvelopeContext context, byte[] sealed) {
        int version = keyVersion(sealed);
        if (version != key.version()) {
            throw new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                    "key version: " + version + " (expected: " + key.version() + ")");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.raw(), "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, sealed, 4, NONCE_BYTES));
            c.updateAAD(context.aad(version));
            return c.doFinal(sealed, 4 + NONCE_BYTES, sealed.length - 4 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new ProtocolException(ErrorCode.BAD_TAG, "sealed body: authentication tag mismatch (expected: untampered body for this request)");
        } catch (GeneralSecurityException e) {
            throw new ProtocolException(ErrorCode.BAD_TAG, "sealed body: does not open (" + e.getClass().getSimpleName() + ")");
        }
    }
}
