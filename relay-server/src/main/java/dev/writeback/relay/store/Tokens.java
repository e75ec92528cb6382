package dev.writeback.relay.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Makes bearer and registration tokens and the SHA-256 hashes the store keeps instead of them. */
final class Tokens {
    static final String API_PREFIX = "wb_api_";
    static final String REGISTRATION_PREFIX = "wb_reg_";
    /** Longest token text looked up; anything longer cannot be ours and is not hashed. */
    static final int MAX_LENGTH = 128;

    private static final int RANDOM_BYTES = 32;

    private final SecureRandom random;

    Tokens(SecureRandom random) {
        this.random = random;
    }

    /** A new token: the prefix followed by 32 random bytes in unpadded base64url. */
    String generate(String prefix) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code text} could be a token with this prefix (checked before hashing, reveals nothing). */
    static boolean plausible(String text, String prefix) {
        return text != null && text.length() <= MAX_LENGTH && text.startsWith(prefix);
    }

    /** Lowercase hex SHA-256 of the token's UTF-8 bytes. */
    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
        }
    }
}
