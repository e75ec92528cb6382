package dev.writeback.relay.store;

import dev.writeback.protocol.Operation;

/**
 * What the relay audits, by the name stored in the audit log's {@code operation} column. Password operations
 * share their names with {@link Operation}; the portal writes its own steps ({@code PORTAL_*}) to the same log.
 */
public enum AuditEvent {
    RESET, CHANGE, UNLOCK, LOOKUP,
    /** Tenant settings changed through the admin API. */
    SETTINGS,
    PORTAL_SETTINGS,
    HASH_SYNC_SETTINGS,
    HASH_SYNC_FULL_SYNC,
    PASSWORD_CHECK,
    REGISTRATION_TOKEN_CREATED,
    TOKEN_REVOKED,
    AGENT_REGISTERED,
    AGENT_DELETED,
    KEY_ROTATION_REQUESTED,
    /** A key rollover the agent confirmed. */
    KEYS_ROTATED;

    /** The result of an event that has no result code of its own. */
    public static final String OK = "OK";

    /** The event of a password operation. */
    public static AuditEvent of(Operation operation) {
        return valueOf(operation.name());
    }
}
