package dev.writeback.agent.embedded;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** Salted SHA-256 hashes of previous passwords, newest first; the passwords themselves are never kept. */
final class PasswordHistory {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SALT_BYTES = 16;

    private PasswordHistory() {}

    /** Whether {@code password} matches one of the stored hashes. */
    static boolean contains(List<String> hashes, char[] password) {
        for (String stored : hashes) {
            int dollar = stored.indexOf('$');
            if (dollar < 0) {
                continue;
            }
            byte[] salt = Base64.getDecoder().decode(stored.substring(0, dollar));
            byte[] expected = Base64.getDecoder().decode(stored.substring(dollar + 1));
            if (MessageDigest.isEqual(expected, digest(salt, password))) {
                return true;
            }
        }
        return false;
    }

    /** The new history: the hash of {@code password} followed by the newest {@code length - 1} old hashes. */
    static List<String> push(List<String> hashes, char[] password, int length) {
        var result = new ArrayList<String>();
        if (length <= 0) {
            return result;
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        result.add(Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(digest(salt, password)));
        result.addAll(hashes.subList(0, Math.min(hashes.size(), length - 1)));
        return result;
    }

    private static byte[] digest(byte[] salt, char[] password) {
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            sha.update(utf8.duplicate());
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        } finally {
            Arrays.fill(utf8.array(), (byte) 0);
        }
    }
}
