package dev.writeback.relay.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Durations;
import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.relay.hashsync.HashSyncStore.TenantRow;
import dev.writeback.relay.hashsync.HashSyncStore.UserRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's side of password hash sync, per tenant: takes batches from agents, keeps each user's stored hash
 * ({@link StoredHash}: Argon2id over the PPH1 value, sealed with the master key) and status history for
 * {@link #STATUS_KEPT} in the {@link HashSyncStore}, answers password checks with a per-user lockout, and reports
 * a tenant whose sync heartbeat is overdue. Disabling a tenant deletes its stored hashes.
 */
public final class HashSyncReceiver {
    /** How long per-user status records are kept. */
    public static final Duration STATUS_KEPT = Duration.ofDays(7);
    /** A tenant whose last batch or heartbeat is older than this is reported overdue (two heartbeats missed). */
    public static final Duration HEARTBEAT_OVERDUE = Duration.ofMinutes(65);
    /** Failed checks per user before the lockout. */
    public static final int LOCKOUT_THRESHOLD = 10;
    /** How long a user's checks are refused after the threshold. */
    public static final Duration LOCKOUT = Duration.ofMinutes(15);

    private static final Logger logger = LoggerFactory.getLogger(HashSyncReceiver.class);

    private final StoredHash hashes;
    private final HashSyncStore store;
    private final Clock clock;
    /** Tenants whose overdue heartbeat was already reported (once until the next batch). */
    private final Set<String> overdueReported = new HashSet<>();
    /** When each tenant's sync heartbeat was last logged: agents poll every cycle, the log says so every 30 min. */
    private final Map<String, Instant> heartbeatLogged = new java.util.HashMap<>();

    public HashSyncReceiver(StoredHash hashes, HashSyncStore store, Clock clock) {
        this.hashes = requireNonNull(hashes, "hashes");
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Turns hash sync on or off for a tenant; off deletes every stored hash and status of the tenant. */
    public synchronized void setEnabled(String tenantId, boolean enabled) {
        TenantRow t = tenant(tenantId);
        if (!enabled && t.enabled()) {
            int deleted = store.deleteUsers(tenantId);
            logger.info("RLY-603 hash sync disabled tenant={} storedHashesDeleted={}", tenantId, deleted);
        } else if (enabled && !t.enabled()) {
            logger.info("RLY-602 hash sync enabled tenant={}", tenantId);
        }
        store.saveTenant(tenantId, new TenantRow(enabled, enabled && t.fullSyncRequested(), t.lastCycle(), t.lastHeartbeat()));
    }

    /** Whether hash sync is on for a tenant. */
    public boolean enabled(String tenantId) {
        return tenant(tenantId).enabled();
    }

    /** Asks the tenant's agents for a full sync (they learn it from the next acknowledgement); false when sync is off. */
    public synchronized boolean requestFullSync(String tenantId) {
        TenantRow t = tenant(tenantId);
        if (!t.enabled()) {
            return false;
        }
        store.saveTenant(tenantId, new TenantRow(true, true, t.lastCycle(), t.lastHeartbeat()));
        logger.info("RLY-604 hash sync full sync requested tenant={}", tenantId);
        return true;
    }

    /**
     * One batch from an agent. Returns what the acknowledgement tells the agent. A disabled tenant stores nothing
     * and answers {@code enabled=false}. The Argon2id work happens here, so the caller runs it off the event loop;
     * the agent waits for the acknowledgement before the next batch.
     */
    public Ack accept(String tenantId, String agentId, long cursor, boolean fullSync, List<HashSyncEntry> entries) {
        Instant now = clock.instant();
        synchronized (this) {
            TenantRow t = tenant(tenantId);
            overdueReported.remove(tenantId);
            if (!t.enabled()) {
                return new Ack(cursor, false, false);
            }
            store.saveTenant(tenantId, new TenantRow(true, t.fullSyncRequested(), t.lastCycle(), now));
        }
        var rows = new ArrayList<UserRow>(entries.size());
        int wrapped = 0;
        for (HashSyncEntry e : entries) {
            Optional<UserRow> known = store.user(tenantId, e.anchor());
            byte[] stored = null;
            int failures = known.map(UserRow::failures).orElse(0);
            Instant lockedUntil = known.map(UserRow::lockedUntil).orElse(null);
            if (e.status() == HashSyncStatus.SUCCESS) {
                boolean unchanged = known.isPresent() && known.get().stamp() == e.stamp()
                        && known.get().status() == e.status() && known.get().stored() != null;
                if (unchanged) {
                    stored = known.get().stored();
                } else {
                    stored = hashes.wrap(tenantId, e.anchor(), e.salt(), e.hash());
                    wrapped++;
                    failures = 0;
                    lockedUntil = null;
                }
            }
            // filtered, gone or missing: nothing checkable stays
            rows.add(new UserRow(e.anchor(), e.upn(), e.status(), e.stamp(), now, agentId, stored, failures, lockedUntil));
        }
        synchronized (this) {
            TenantRow t = tenant(tenantId);
            if (!t.enabled()) {
                return new Ack(cursor, false, false);   // turned off meanwhile: what it held is deleted, keep it so
            }
            store.saveUsers(tenantId, rows);
            boolean askFull = t.fullSyncRequested() && !fullSync;
            store.saveTenant(tenantId, new TenantRow(true, t.fullSyncRequested() && !fullSync, now, now));
            if (entries.isEmpty()) {
                Instant logged = heartbeatLogged.get(tenantId);
                if (logged == null || Duration.between(logged, now).compareTo(Duration.ofMinutes(30)) >= 0) {
                    heartbeatLogged.put(tenantId, now);
                    logger.info("RLY-601 hash sync heartbeat tenant={} agent={} cursor={}", tenantId, agentId, cursor);
                }
            } else {
                logger.info("RLY-600 hash sync batch tenant={} agent={} cursor={} users={} wrapped={} full={}",
                        tenantId, agentId, cursor, entries.size(), wrapped, fullSync);
            }
            return new Ack(cursor, true, askFull);
        }
    }

    /**
     * Checks a password for the user named by {@code user}: its synced anchor or its UPN. Unknown users cost the
     * same Argon2id work as known ones.
     */
    public CheckResult check(String tenantId, String user, char[] password) {
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        TenantRow t = tenant(tenantId);
        Optional<UserRow> found = store.user(tenantId, user);
        if (found.isEmpty()) {
            found = store.userByUpn(tenantId, user.toLowerCase(Locale.ROOT));
        }
        if (found.isEmpty() || found.get().status() == HashSyncStatus.SOURCE_NOT_PRESENT) {
            hashes.burn(password);
            return CheckResult.UNKNOWN_USER;
        }
        UserRow u = found.get();
        if (u.lockedUntil() != null && clock.instant().isBefore(u.lockedUntil())) {
            hashes.burn(password);
            return CheckResult.LOCKED;
        }
        if (u.stored() == null || !t.enabled()) {
            hashes.burn(password);
            return CheckResult.NOT_SYNCED;
        }
        boolean ok = hashes.matches(tenantId, u.anchor(), u.stored(), password);
        synchronized (this) {
            UserRow now = store.user(tenantId, u.anchor()).orElse(null);
            if (now == null) {
                return CheckResult.UNKNOWN_USER;
            }
            if (ok) {
                if (now.failures() != 0) {
                    store.saveFailures(tenantId, u.anchor(), 0, null);
                }
                return CheckResult.VALID;
            }
            int failures = now.failures() + 1;
            if (failures >= LOCKOUT_THRESHOLD) {
                Instant until = clock.instant().plus(LOCKOUT);
                store.saveFailures(tenantId, u.anchor(), 0, until);
                logger.warn("RLY-611 password check lockout tenant={} anchor={} for {}", tenantId, LogSafe.of(u.anchor()),
                        Durations.format(LOCKOUT));
            } else {
                store.saveFailures(tenantId, u.anchor(), failures, now.lockedUntil());
            }
            return CheckResult.INVALID;
        }
    }

    /** A user's current status and its history of the last 7 days. */
    public Optional<UserStatus> user(String tenantId, String anchor) {
        Optional<UserRow> found = store.user(tenantId, anchor);
        if (found.isEmpty()) {
            found = store.userByUpn(tenantId, anchor);
        }
        Instant since = clock.instant().minus(STATUS_KEPT);
        return found.map(u -> new UserStatus(u.anchor(), u.upn(), u.status(), u.updatedAt(), u.agentId(),
                store.history(tenantId, u.anchor()).stream().filter(r -> !r.at().isBefore(since)).toList()));
    }

    /** The tenant's sync state. */
    public TenantStatus status(String tenantId) {
        TenantRow t = tenant(tenantId);
        return new TenantStatus(t.enabled(), t.lastCycle(), t.lastHeartbeat(), overdue(t, clock.instant()),
                t.fullSyncRequested(), store.counts(tenantId));
    }

    /** Logs a WARN once per tenant whose heartbeat is overdue; drops status records older than 7 days. */
    public synchronized List<String> checkHeartbeats() {
        Instant now = clock.instant();
        store.purge(now.minus(STATUS_KEPT));
        var overdue = new ArrayList<String>();
        for (Map.Entry<String, TenantRow> e : store.tenantsWithSyncOn().entrySet()) {
            if (overdue(e.getValue(), now)) {
                overdue.add(e.getKey());
                if (overdueReported.add(e.getKey())) {
                    logger.warn("RLY-610 hash sync heartbeat overdue tenant={} last={} (expected: every {})", e.getKey(),
                            e.getValue().lastHeartbeat(), Durations.format(Duration.ofMinutes(30)));
                }
            }
        }
        return overdue;
    }

    private static boolean overdue(TenantRow t, Instant now) {
        return t.enabled() && t.lastHeartbeat() != null && Duration.between(t.lastHeartbeat(), now).compareTo(HEARTBEAT_OVERDUE) > 0;
    }

    private TenantRow tenant(String tenantId) {
        return store.tenant(requireNonNull(tenantId, "tenantId")).orElseGet(TenantRow::off);
    }

    /** What the acknowledgement of one batch says. */
    public record Ack(long cursor, boolean enabled, boolean fullSyncRequested) {}

    /** One status change of one user. */
    public record StatusRecord(Instant at, HashSyncStatus status) {}

    /** A user's status as the admin API shows it. */
    public record UserStatus(String anchor, String upn, HashSyncStatus status, Instant updatedAt, String agentId,
                             List<StatusRecord> history) {}

    /** A tenant's sync state as the admin API shows it. */
    public record TenantStatus(boolean enabled, Instant lastCycle, Instant lastHeartbeat, boolean heartbeatOverdue,
                               boolean fullSyncRequested, Map<HashSyncStatus, Integer> counts) {}
}
