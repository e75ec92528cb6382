package dev.writeback.relay.store;

import java.util.Locale;
import java.util.Optional;

/**
 * What an API token may do. {@link #OPERATIONS} is for an SSPR portal: the password operations and the status.
 * {@link #ADMIN} may do everything, operations included. Stored and shown by its {@link #wire()} name.
 */
public enum ApiScope {
    /** Password reset, change and unlock, and {@code GET /api/v1/writeback/status}. */
    OPERATIONS,
    /** Everything: operations plus settings, registration tokens, agents and the audit log. */
    ADMIN,
    /**
     * Only {@code POST /api/v1/authentication/password-check}: for a cloud application that signs users in with
     * their synced password and must not reset anyone's.
     */
    PASSWORD_CHECK;

    /** The accepted wire names, for messages. */
    public static final String EXPECTED = "operations, admin or password-check";

    /** The lower-case name used in the store, on the command line and in messages. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a token of this scope may use a route that needs {@code required}. */
    public boolean allows(ApiScope required) {
        return this == ADMIN || this == required;
    }

    /** The scope with this wire name (exact, lower-case), if any. */
    public static Optional<ApiScope> ofWire(String wire) {
        for (ApiScope scope : values()) {
            if (scope.wire().equals(wire)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }
}
