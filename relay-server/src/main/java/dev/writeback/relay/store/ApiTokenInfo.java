package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What the store knows about an API token found by its plaintext: never the plaintext itself.
 *
 * @param lastUsedAt when the token was last recorded as used (at most once a minute), or null for never
 */
public record ApiTokenInfo(String id, String tenantId, String label, ApiScope scope, Instant createdAt,
        Instant lastUsedAt) {
    public ApiTokenInfo {
        requireNonNull(id, "id");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(label, "label");
        requireNonNull(scope, "scope");
        requireNonNull(createdAt, "createdAt");
    }

    /** A token never recorded as used. */
    public ApiTokenInfo(String id, String tenantId, String label, ApiScope scope, Instant createdAt) {
        this(id, tenantId, label, scope, createdAt, null);
    }
}
