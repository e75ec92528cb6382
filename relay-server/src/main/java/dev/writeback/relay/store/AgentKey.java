package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One key version of an agent (DESIGN §4): its RSA encryption public key (X.509 DER) and the plaintext AES-256
 * package key. Arrays are copied in and out; the caller wipes the package key copies it takes.
 * {@link #toString()} never prints key bytes.
 *
 * @param destroyAfter when a retired version may be destroyed; {@code null} while the version is not retired
 */
public record AgentKey(String agentId, int version, byte[] rsaPublicKey, byte[] packageKey, Instant createdAt,
        Instant destroyAfter) {
    public AgentKey {
        requireNonNull(agentId, "agentId");
        rsaPublicKey = requireNonNull(rsaPublicKey, "rsaPublicKey").clone();
        packageKey = requireNonNull(packageKey, "packageKey").clone();
        requireNonNull(createdAt, "createdAt");
    }

    /** A copy of the RSA encryption public key. */
    @Override
    public byte[] rsaPublicKey() {
        return rsaPublicKey.clone();
    }

    /** A copy of the plaintext package key; wipe it after use. */
    @Override
    public byte[] packageKey() {
        return packageKey.clone();
    }

    /** Whether this version has been retired and waits for destruction. */
    public boolean retired() {
        return destroyAfter != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentKey k
                && agentId.equals(k.agentId)
                && version == k.version
                && Arrays.equals(rsaPublicKey, k.rsaPublicKey)
                && Arrays.equals(packageKey, k.packageKey)
                && createdAt.equals(k.createdAt)
                && Objects.equals(destroyAfter, k.destroyAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(agentId, version, Arrays.hashCode(rsaPublicKey), createdAt, destroyAfter);
    }

    @Override
    public String toString() {
        return "AgentKey[agentId=" + agentId + ", version=" + version + ", rsaPublicKey=(" + rsaPublicKey.length
                + " bytes), packageKey=****, createdAt=" + createdAt + ", destroyAfter=" + destroyAfter + "]";
    }
}
