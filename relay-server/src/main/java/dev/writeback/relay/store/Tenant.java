package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One customer organisation of the relay, with its writeback settings. */
public record Tenant(String id, String name, boolean enabled, boolean allowUnlockWithoutReset, Instant createdAt) {
    public Tenant {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        requireNonNull(createdAt, "createdAt");
    }
}
