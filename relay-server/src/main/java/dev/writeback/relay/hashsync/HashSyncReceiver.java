package dev.writeback.relay.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's side of password hash sync, per tenant: takes acknowledged batches from agents, keeps each user's
 * stored hash ({@link StoredHash}: Argon2id over the PPH1 value, sealed with the master key) and status history for
 * {@link #STATUS_KEPT}, answers password checks with a per-user lockout, and reports a tenant whose sync heartbeat
 * is overdue. Disabling a tenant deletes its stored hashes.
 *
 * <p>State is held in memory in this version (see docs/hash-sync.md, limits): a relay restart asks agents for a
 * full sync by answering their first batch as the start of one.
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
    private final Clock clock;
    private final Map<String, TenantState> tenants = new HashMap<>();

    public HashSyncReceiver(StoredHash hashes, Clock clock) {
        this.hashes = requireNonNull(hashes, "hashes");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Turns hash sync on or off for a tenant; off deletes every stored hash and status of the tenant. */
    public synchronized void setEnabled(String tenantId, boolean enabled) {
        TenantState t = tenant(tenantId);
        if (!enabled && t.enabled) {
            int deleted = t.users.size();
            t.users.clear();
            t.byUpn.clear();
            logger.info("RLY-603 hash sync disabled tenant={} storedHashesDeleted={}", tenantId, deleted);
        } else if (enabled && !t.enabled) {
            logger.info("RLY-602 hash sync enabled tenant={}", tenantId);
        }
        t.enabled = enabled;
    }

    /** Whether hash sync is on for a tenant. */
    public synchronized boolean enabled(String tenantId) {
        return tenant(tenantId).enabled;
    }

    /** Asks the tenant's agents for a full sync (they learn it from the next acknowledgement). */
    public synchronized void requestFullSync(String tenantId) {
        tenant(tenantId).fullSyncRequested = true;
        logger.info("RLY-604 hash sync full sync requested tenant={}", tenantId);
    }

    /**
     * One batch from an agent. Returns what the acknowledgement tells the agent. A disabled tenant stores nothing
     * and answers {@link Ack#disabled()}. The Argon2id work happens here, so the caller runs it off the event loop;
     * the agent waits for the acknowledgement before the next batch.
     */
    public Ack accept(String tenantId, String agentId, long cursor, boolean fullSync, List<HashSyncEntry> entries) {
        TenantState t;
        synchronized (this) {
            t = tenant(tenantId);
            t.lastHeartbeat = clock.instant();
            t.overdueReported = false;
            if (!t.enabled) {
                return new Ack(cursor, false, false);
            }
        }
        Instant now = clock.instant();
        int stored = 0;
        for (HashSyncEntry e : entries) {
            byte[] wrapped = null;
            synchronized (this) {
                UserState known = t.users.get(e.anchor());
                boolean unchanged = known != null && known.stamp == e.stamp() && known.status == e.status() && known.stored != null;
                if (e.status() == HashSyncStatus.SUCCESS && !unchanged) {
                    wrapped = new byte[0];   // marker: wrap outside the lock
                }
            }
            if (wrapped != null) {
                wrapped = hashes.wrap(tenantId, e.anchor(), e.salt(), e.hash());
                stored++;
            }
            synchronized (this) {
                UserState u = t.users.computeIfAbsent(e.anchor(), a -> new UserState());
                if (!u.upn.isEmpty()) {
                    t.byUpn.remove(u.upn);
                }
                u.upn = e.upn().toLowerCase(Locale.ROOT);
                if (!u.upn.isEmpty()) {
                    t.byUpn.put(u.upn, e.anchor());
                }
                u.stamp = e.stamp();
                u.status = e.status();
                u.updatedAt = now;
                u.agentId = agentId;
                if (e.status() == HashSyncStatus.SUCCESS) {
                    if (wrapped != null) {
                        u.stored = wrapped;
                        u.failures = 0;
                    }
                } else {
                    u.stored = null;   // filtered, gone or missing: nothing checkable stays
                }
                u.history.addLast(new StatusRecord(now, e.status()));
                trim(u.history, now);
                if (e.status() == HashSyncStatus.SOURCE_NOT_PRESENT) {
                    t.byUpn.remove(u.upn);
                }
            }
        }
        synchronized (this) {
            t.lastCycle = now;
            boolean askFull = t.fullSyncRequested && !fullSync;
            if (fullSync) {
                t.fullSyncRequested = false;
            }
            logger.info(entries.isEmpty() ? "RLY-601 hash sync heartbeat tenant={} agent={} cursor={}"
                            : "RLY-600 hash sync batch tenant={} agent={} cursor={} users={} wrapped={} full={}",
                    tenantId, agentId, cursor, entries.size(), stored, fullSync);
            return new Ack(cursor, true, askFull);
        }
    }

    /**
     * Checks a password for the user named by {@code anchor} (as synced) or, when it has no {@code :} prefix match,
     * by UPN. Unknown users cost the same Argon2id work as known ones.
     */
    public CheckResult check(String tenantId, String user, char[] password) {
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        String anchor;
        byte[] stored;
        synchronized (this) {
            TenantState t = tenant(tenantId);
            anchor = t.users.containsKey(user) ? user : t.byUpn.get(user.toLowerCase(Locale.ROOT));
            UserState u = anchor == null ? null : t.users.get(anchor);
            if (u == null || u.status == HashSyncStatus.SOURCE_NOT_PRESENT) {
                stored = null;
                anchor = null;
            } else if (u.lockedUntil != null && clock.instant().isBefore(u.lockedUntil)) {
                hashes.burn(password);
                return CheckResult.LOCKED;
            } else {
                stored = u.stored;
            }
            if (anchor != null && (stored == null || !t.enabled)) {
                hashes.burn(password);
                return CheckResult.NOT_SYNCED;
            }
        }
        if (anchor == null) {
            hashes.burn(password);
            return CheckResult.UNKNOWN_USER;
        }
        boolean ok = hashes.matches(tenantId, anchor, stored, password);
        synchronized (this) {
            UserState u = tenant(tenantId).users.get(anchor);
            if (u == null) {
                return CheckResult.UNKNOWN_USER;
            }
            if (ok) {
                u.failures = 0;
                return CheckResult.VALID;
            }
            if (++u.failures >= LOCKOUT_THRESHOLD) {
                u.lockedUntil = clock.instant().plus(LOCKOUT);
                u.failures = 0;
                logger.warn("RLY-611 password check lockout tenant={} anchor={} for {} s", tenantId, LogSafe.of(anchor), LOCKOUT.toSeconds());
            }
            return CheckResult.INVALID;
        }
    }

    /** A user's current status and its history of the last 7 days. */
    public synchronized Optional<UserStatus> user(String tenantId, String anchor) {
        UserState u = tenant(tenantId).users.get(anchor);
        if (u == null) {
            return Optional.empty();
        }
        trim(u.history, clock.instant());
        return Optional.of(new UserStatus(anchor, u.upn, u.status, u.updatedAt, u.agentId, List.copyOf(u.history)));
    }

    /** The tenant's sync state. */
    public synchronized TenantStatus status(String tenantId) {
        TenantState t = tenant(tenantId);
        var counts = new EnumMap<HashSyncStatus, Integer>(HashSyncStatus.class);
        t.users.values().forEach(u -> counts.merge(u.status, 1, Integer::sum));
        Instant now = clock.instant();
        boolean overdue = t.enabled && t.lastHeartbeat != null && Duration.between(t.lastHeartbeat, now).compareTo(HEARTBEAT_OVERDUE) > 0;
        return new TenantStatus(t.enabled, t.lastCycle, t.lastHeartbeat, overdue, t.fullSyncRequested, counts);
    }

    /** Logs a WARN once per tenant whose heartbeat is overdue; drops status records older than 7 days. */
    public synchronized List<String> checkHeartbeats() {
        Instant now = clock.instant();
        var overdue = new ArrayList<String>();
        tenants.forEach((id, t) -> {
            t.users.values().removeIf(u -> u.status != HashSyncStatus.SUCCESS && Duration.between(u.updatedAt, now).compareTo(STATUS_KEPT) > 0);
            t.users.values().forEach(u -> trim(u.history, now));
            if (t.enabled && t.lastHeartbeat != null && Duration.between(t.lastHeartbeat, now).compareTo(HEARTBEAT_OVERDUE) > 0) {
                overdue.add(id);
                if (!t.overdueReported) {
                    t.overdueReported = true;
                    logger.warn("RLY-610 hash sync heartbeat overdue tenant={} last={} (expected: every {} min)", id, t.lastHeartbeat,
                            dev.writeback.protocol.Durations.format(Duration.ofMinutes(30)));
                }
            }
        });
        return overdue;
    }

    private static void trim(Deque<StatusRecord> history, Instant now) {
        while (!history.isEmpty() && Duration.between(history.peekFirst().at(), now).compareTo(STATUS_KEPT) > 0) {
            history.removeFirst();
        }
    }

    private TenantState tenant(String tenantId) {
        return tenants.computeIfAbsent(requireNonNull(tenantId, "tenantId"), id -> new TenantState());
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

    private static final class TenantState {
        boolean enabled;
        boolean fullSyncRequested;
        boolean overdueReported;
        Instant lastCycle;
        Instant lastHeartbeat;
        final Map<String, UserState> users = new HashMap<>();
        final Map<String, String> byUpn = new HashMap<>();
    }

    private static final class UserState {
        String upn = "";
        long stamp;
        HashSyncStatus status;
        Instant updatedAt;
        String agentId;
        byte[] stored;
        int failures;
        Instant lockedUntil;
        final Deque<StatusRecord> history = new ArrayDeque<>();
    }
}
