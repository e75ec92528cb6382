package dev.writeback.portal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The self-hosted proof of work that stands in for a captcha (hashcash): the page gets a random challenge and
 * must find a nonce so that SHA-256(challenge ":" nonce) starts with {@code bits} zero bits. Solving costs the
 * browser about 2^bits hashes; checking costs the portal one. No third-party service, works offline. Each
 * challenge is used once: the session gets a new one after every attempt.
 */
final class Captcha {
    /** Longest nonce accepted (decimal digits). */
    static final int MAX_NONCE_LENGTH = 12;

    private Captcha() {}

    static String challenge(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether {@code nonce} solves {@code challenge} at {@code bits}. */
    static boolean solves(String challenge, String nonce, int bits) {
        if (bits == 0) {
            return true;
        }
        if (challenge == null || nonce == null || nonce.isEmpty() || nonce.length() > MAX_NONCE_LENGTH
                || !nonce.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((challenge + ":" + nonce).getBytes(StandardCharsets.US_ASCII));
            long first = ((hash[0] & 0xffL) << 24) | ((hash[1] & 0xffL) << 16) | ((hash[2] & 0xffL) << 8) | (hash[3] & 0xffL);
            return first < (1L << (32 - bits));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
        }
    }

    /** Solves a challenge the way the page's script does (tests use it). */
    static String solve(String challenge, int bits) {
        for (long nonce = 0; ; nonce++) {
            String n = Long.toString(nonce);
            if (solves(challenge, n, bits)) {
                return n;
            }
        }
    }
}
