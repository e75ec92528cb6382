package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.Tenant;

/**
 * Who sent an authenticated API request: the bearer token's id (the audit actor, never its plaintext), what the
 * token may do, and the tenant it belongs to, as stored when the request arrived.
 */
record Caller(String tokenId, ApiScope scope, Tenant tenant) {
    Caller {
        requireNonNull(tokenId, "tokenId");
        requireNonNull(scope, "scope");
        requireNonNull(tenant, "tenant");
    }

    String tenantId() {
        return tenant.id();
    }
}
