package dev.writeback.protocol.crypto;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Arrays;

/** One version of an agent's AES-256 package key. {@link #close()} wipes it; it never prints. */
public final class PackageKey implements AutoCloseable {
    /** Key length in bytes. */
    public static final int BYTES = 32;

    private final int version;
    private final byte[] key;

    private PackageKey(int version, byte[] key) {
        this.version = version;
        this.key = key;
    }

    /** Wraps existing key bytes (copied). */
    public static PackageKey of(int version, byte[] key) {
        requireNonNull(key, "key");
        if (version <= 0) {
            throw new IllegalArgumentException("key version: " + version + " (expected: > 0)");
        }
        if (key.length != BYTES) {
            throw new IllegalArgumentException("package key length: " + key.length + " (expected: " + BYTES + ")");
        }
        return new PackageKey(version, key.clone());
    }

    /** A new random key. */
    public static PackageKey generate(int version, SecureRandom random) {
        byte[] k = new byte[BYTES];
        random.nextBytes(k);
        try {
            return of(version, k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** The key version. */
    public int version() {
        return version;
    }

    /** A copy of the key bytes; the caller wipes it. */
    public byte[] bytes() {
        return key.clone();
    }

    byte[] raw() {
        return key;
    }

    @Override
    public void close() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "PackageKey[version=" + version + "]";
    }
}
