package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What an operator may see of one token of a tenant: never its plaintext nor its hash.
 *
 * @param id the token's id (what {@code relay token revoke} and {@code DELETE /api/v1/tokens/{id}} take)
 * @param tenantId the tenant
 * @param kind an API or a registration token
 * @param scope what an API token may do; null for a registration token
 * @param label the API token's label; null for a registration token
 * @param createdAt when it was issued
 * @param lastUsedAt when an API token was last accepted (to the minute) or a registration token was used; null for
 *     never
 * @param expiresAt when a registration token expires; null for an API token (they do not expire)
 */
public record TokenInfo(String id, String tenantId, Kind kind, ApiScope scope, String label, Instant createdAt,
        Instant lastUsedAt, Instant expiresAt) {
    /** The two kinds of token a tenant has. */
    public enum Kind {
        /** A REST API bearer token {@code wb_api_...}. */
        API("api"),
        /** A one-time agent registration token {@code wb_reg_...}. */
        REGISTRATION("registration");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        /** The name in JSON and on the command line. */
        public String wire() {
            return wire;
        }
    }

    public TokenInfo {
        requireNonNull(id, "id");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(kind, "kind");
        requireNonNull(createdAt, "createdAt");
    }

    /** {@code active}, {@code used} or {@code expired} at {@code now}. */
    public String state(Instant now) {
        if (kind == Kind.API) {
            return "active";
        }
        if (lastUsedAt != null) {
            return "used";
        }
        return expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
    }
}
