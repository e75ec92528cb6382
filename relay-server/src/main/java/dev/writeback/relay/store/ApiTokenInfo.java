package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** What the store knows about an API token found by its plaintext: never the plaintext itself. */
public record ApiTokenInfo(String id, String tenantId, String label, ApiScope scope, Instant createdAt) {
    public ApiTokenInfo {
        requireNonNull(id, "id");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(label, "label");
        requireNonNull(scope, "scope");
        requireNonNull(createdAt, "createdAt");
    }
}
