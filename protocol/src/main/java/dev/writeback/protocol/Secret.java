package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A password in memory. Its text is never printed, logged or put into an exception: {@link #toString()}
 * is {@code ****}. The characters live in a private array that {@link #close()} wipes.
 */
public final class Secret implements AutoCloseable {
    private final char[] value;
    private volatile boolean destroyed;

    private Secret(char[] value) {
        this.value = value;
    }

    /** Copies the given characters; the caller may wipe its array afterwards. */
    public static Secret of(char[] value) {
        requireNonNull(value, "value");
        return new Secret(value.clone());
    }

    /** Wraps a string. Prefer {@link #of(char[])} where the caller holds a wipeable array. */
    public static Secret of(String value) {
        requireNonNull(value, "value");
        return new Secret(value.toCharArray());
    }

    /** Decodes UTF-8 bytes, as they arrive from the wire or a JSON body, and wipes the decoding buffer. */
    public static Secret fromUtf8(byte[] utf8) {
        requireNonNull(utf8, "utf8");
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8));
        char[] copy = Arrays.copyOfRange(chars.array(), chars.position(), chars.limit());
        Arrays.fill(chars.array(), '\0');
        return new Secret(copy);
    }

    /** Returns a copy of the password. Call only where it is written to the wire or to a directory, and wipe it. */
    public char[] reveal() {
        checkAlive();
        return value.clone();
    }

    /** Returns the password as UTF-8 bytes; the caller wipes them after use. */
    public byte[] toUtf8() {
        checkAlive();
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
        byte[] copy = Arrays.copyOfRange(bytes.array(), bytes.position(), bytes.limit());
        Arrays.fill(bytes.array(), (byte) 0);
        return copy;
    }

    /** Number of UTF-16 characters of the password (policy pre-checks need it, not the text). */
    public int length() {
        checkAlive();
        return value.length;
    }

    /** True when both secrets hold the same characters, compared in constant time. */
    public boolean sameAs(Secret other) {
        requireNonNull(other, "other");
        checkAlive();
        other.checkAlive();
        int diff = value.length ^ other.value.length;
        for (int i = 0; i < Math.min(value.length, other.value.length); i++) {
            diff |= value[i] ^ other.value[i];
        }
        return diff == 0;
    }

    /** Whether {@link #close()} has wiped this secret. */
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Overwrites the characters. Idempotent. */
    @Override
    public void close() {
        Arrays.fill(value, '\0');
        destroyed = true;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("secret: destroyed (expected: a live secret)");
        }
    }

    @Override
    public String toString() {
        return "****";
    }
}
