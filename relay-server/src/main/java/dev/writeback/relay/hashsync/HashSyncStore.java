package dev.writeback.relay.hashsync;

import dev.writeback.protocol.hashsync.HashSyncStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the relay keeps hash sync state (schema V6): per tenant, per user, and each user's status history. */
public interface HashSyncStore {
    /** A tenant's sync state; absent means never enabled. */
    Optional<TenantRow> tenant(String tenantId);

    /** Creates or replaces a tenant's sync state. */
    void saveTenant(String tenantId, TenantRow row);

    /** Every tenant with sync on, with its state. */
    Map<String, TenantRow> tenantsWithSyncOn();

    /** One user by anchor. */
    Optional<UserRow> user(String tenantId, String anchor);

    /** One user by UPN (compared in lower case); the newest when more than one row names it. */
    Optional<UserRow> userByUpn(String tenantId, String upn);

    /** Creates or replaces users, and appends one history record each, in one transaction. */
    void saveUsers(String tenantId, List<UserRow> rows);

    /** Records a user's failed checks and lockout. */
    void saveFailures(String tenantId, String anchor, int failures, Instant lockedUntil);

    /** A user's status history, oldest first. */
    List<HashSyncReceiver.StatusRecord> history(String tenantId, String anchor);

    /** Users per current status. */
    Map<HashSyncStatus, Integer> counts(String tenantId);

    /** Deletes every user and history record of a tenant (sync turned off); returns the users deleted. */
    int deleteUsers(String tenantId);

    /** Deletes history older than {@code before}, and users whose last status (other than SUCCESS) is older. */
    int purge(Instant before);

    /** A tenant's sync state. */
    record TenantRow(boolean enabled, boolean fullSyncRequested, Instant lastCycle, Instant lastHeartbeat) {
        public static TenantRow off() {
            return new TenantRow(false, false, null, null);
        }
    }

    /**
     * One synced user. {@code stored} is the sealed Argon2id form (null unless the status is SUCCESS); {@code
     * toString} shows only its length.
     */
    record UserRow(String anchor, String upn, HashSyncStatus status, long stamp, Instant updatedAt, String agentId,
                   byte[] stored, int failures, Instant lockedUntil) {
        @Override
        public String toString() {
            return "UserRow[anchor=" + anchor + ", upn=" + upn + ", status=" + status + ", stamp=" + stamp
                    + ", updatedAt=" + updatedAt + ", agentId=" + agentId + ", stored="
                    + (stored == null ? "none" : stored.length + " bytes") + ", failures=" + failures
                    + ", lockedUntil=" + lockedUntil + "]";
        }
    }
}
