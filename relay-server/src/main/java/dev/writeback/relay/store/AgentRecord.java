package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A registered on-premises agent and its identity public key (X.509 DER, EC P-256). The key is copied in and
 * out, and {@link #toString()} prints only its length.
 */
public record AgentRecord(String id, String tenantId, String name, byte[] identityPublicKey, Instant registeredAt,
        Instant lastSeen, String lastVersion) {
    public AgentRecord {
        requireNonNull(id, "id");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(name, "name");
        identityPublicKey = requireNonNull(identityPublicKey, "identityPublicKey").clone();
        requireNonNull(registeredAt, "registeredAt");
    }

    /** A copy of the identity public key. */
    @Override
    public byte[] identityPublicKey() {
        return identityPublicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentRecord a
                && id.equals(a.id)
                && tenantId.equals(a.tenantId)
                && name.equals(a.name)
                && Arrays.equals(identityPublicKey, a.identityPublicKey)
                && registeredAt.equals(a.registeredAt)
                && Objects.equals(lastSeen, a.lastSeen)
                && Objects.equals(lastVersion, a.lastVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, tenantId, name, Arrays.hashCode(identityPublicKey), registeredAt, lastSeen,
                lastVersion);
    }

    @Override
    public String toString() {
        return "AgentRecord[id=" + id + ", tenantId=" + tenantId + ", name=" + name
                + ", identityPublicKey=(" + identityPublicKey.length + " bytes), registeredAt=" + registeredAt
                + ", lastSeen=" + lastSeen + ", lastVersion=" + lastVersion + "]";
    }
}
