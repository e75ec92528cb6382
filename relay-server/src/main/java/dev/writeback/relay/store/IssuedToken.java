package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A token just created, the only time its plaintext exists outside the caller's hands; the store keeps a hash.
 * {@link #toString()} never prints the plaintext.
 */
public record IssuedToken(String id, String tenantId, String plaintext, Instant expiresAt) {
    public IssuedToken {
        requireNonNull(id, "id");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(plaintext, "plaintext");
    }

    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", tenantId=" + tenantId + ", plaintext=****, expiresAt=" + expiresAt + "]";
    }
}
