package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * The 128-bit id of one password operation. Its text form (a UUID) is the support code that appears in the
 * REST response and in the relay's and the agent's log lines. Control frames carry {@link #ZERO}.
 */
public record RequestId(long high, long low) {
    /** The id of control frames. */
    public static final RequestId ZERO = new RequestId(0, 0);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new random id (version 4 UUID layout). */
    public static RequestId random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        return of(b);
    }

    /** The id held in 16 big-endian bytes. */
    public static RequestId of(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        if (bytes.length != 16) {
            throw new IllegalArgumentException("request id length: " + bytes.length + " (expected: 16)");
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (bytes[i] & 0xff);
            low = (low << 8) | (bytes[i + 8] & 0xff);
        }
        return new RequestId(high, low);
    }

    /** Parses the UUID text form. */
    public static RequestId parse(String text) {
        requireNonNull(text, "text");
        UUID uuid;
        try {
            uuid = UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("request id: not a UUID (expected: 8-4-4-4-12 hex digits)", e);
        }
        return new RequestId(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    /** The 16 big-endian bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    /** Whether this is the control-frame id. */
    public boolean isZero() {
        return high == 0 && low == 0;
    }

    @Override
    public String toString() {
        return new UUID(high, low).toString();
    }
}
