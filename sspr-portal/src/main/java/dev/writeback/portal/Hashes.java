package dev.writeback.portal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hashes the portal stores instead of values: HMAC-SHA256 with the store's code key, so a copy of the
 * store alone cannot test guesses of an 8-digit code or map a key back to a user id.
 */
final class Hashes {
    private final byte[] key;

    Hashes(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("code key length: " + key.length + " (expected: >= 32 bytes)");
        }
        this.key = key.clone();
    }

    /** The hash of {@code parts}, separated so that ("ab","c") and ("a","bc") differ. */
    String of(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                mac.update((byte) (bytes.length >>> 8));
                mac.update((byte) bytes.length);
                mac.update(bytes);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }

    /** The key of a user id in the limits: case and surrounding space do not matter. */
    String user(String tenantId, String userId) {
        return of("user", tenantId, userId.strip().toLowerCase(Locale.ROOT));
    }

    /** The key of a source address in the limits. */
    String address(String tenantId, String source) {
        return of("address", tenantId, source);
    }

    /** Whether two hex hashes are equal, in constant time. */
    static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    /** SHA-256 hex of a session id, its key in the store. */
    static String sessionKey(String sessionId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(sessionId.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
        }
    }
}
