package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.store.Tenant;

/**
 * Who sent an authenticated API request: the bearer token's id (the audit actor, never its plaintext) and the
 * tenant it is scoped to, as stored when the request arrived.
 */
record Caller(String tokenId, Tenant tenant) {
    Caller {
        requireNonNull(tokenId, "tokenId");
        requireNonNull(tenant, "tenant");
    }

    String tenantId() {
        return tenant.id();
    }
}
