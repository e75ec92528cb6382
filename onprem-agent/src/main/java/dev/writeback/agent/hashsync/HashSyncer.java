package dev.writeback.agent.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.protocol.hashsync.Pph1;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password hash sync on the agent: a full sync first, then every {@link #CYCLE} the users whose password stamp moved
 * (and those that failed before), in batches of at most {@link #MAX_BATCH} users, one batch unacknowledged at a
 * time, so password operations on the same link are never queued behind a full sync. Users who must change their
 * password at next logon are sent as {@code FILTERED_BY_TARGET} without a hash; users gone from the source as
 * {@code SOURCE_NOT_PRESENT}. When a cycle has nothing to send and nothing was sent for {@link #HEARTBEAT}, an empty
 * batch tells the relay the sync is alive. Writeback's own resets and changes are pushed at once by
 * {@link #pushNow}.
 *
 * <p>Each NT hash becomes a PPH1 value with a fresh random salt before it leaves this class; the NT hash bytes are
 * wiped after use and never logged.
 */
public final class HashSyncer implements AutoCloseable {
    /** The change cycle, as Entra Connect's. */
    public static final Duration CYCLE = Duration.ofMinutes(2);
    /** Idle heartbeat interval. */
    public static final Duration HEARTBEAT = Duration.ofMinutes(30);
    /** Users per batch: about 200 bytes each, well inside a 64 KiB frame. */
    public static final int MAX_BATCH = 200;

    private static final Logger logger = LoggerFactory.getLogger(HashSyncer.class);

    private final HashSource source;
    private final HashSyncSink sink;
    private final Clock clock;
    private final SecureRandom random;
    private final Object lock = new Object();
    /** Last stamp the relay acknowledged, per anchor, with the status sent. */
    private final Map<String, Synced> synced = new HashMap<>();
    private final Set<String> retry = new HashSet<>();
    private long cursor;
    private boolean fullSyncDone;
    private boolean fullSyncRequested;
    private Instant lastSent;
    private ScheduledFuture<?> schedule;

    public HashSyncer(HashSource source, HashSyncSink sink, Clock clock, SecureRandom random) {
        this.source = requireNonNull(source, "source");
        this.sink = requireNonNull(sink, "sink");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    /** Runs a cycle now and then every {@link #CYCLE} on {@code scheduler} (tests pass a scheduler they drive). */
    public void start(ScheduledExecutorService scheduler) {
        schedule = scheduler.scheduleWithFixedDelay(this::cycleQuietly, 0, CYCLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a full sync at the next cycle (the relay's "full sync" trigger). */
    public void requestFullSync() {
        synchronized (lock) {
            fullSyncRequested = true;
        }
    }

    /**
     * One cycle: full sync the first time or when asked, else the changes. Returns the number of users sent.
     * Never throws: a failed batch leaves its users for the next cycle.
     */
    public int cycle() {
        synchronized (lock) {
            boolean full = !fullSyncDone || fullSyncRequested;
            long started = System.nanoTime();
            List<SourceUser> users;
            try {
                users = source.users();
            } catch (Exception e) {
                logger.warn("AGT-611 hash sync: source {} unreadable, retrying next cycle: {}", source.name(), e.toString());
                return 0;
            }
            try {
                List<HashSyncEntry> entries = new ArrayList<>();
                Set<String> present = new HashSet<>();
                for (SourceUser u : users) {
                    present.add(u.anchor());
                    Synced last = synced.get(u.anchor());
                    HashSyncStatus status = statusOf(u);
                    if (!full && !retry.contains(u.anchor()) && last != null && last.stamp == u.stamp() && last.status == status) {
                        continue;
                    }
                    entries.add(entryFor(u, status));
                }
                for (String gone : new ArrayList<>(synced.keySet())) {
                    if (!present.contains(gone) && synced.get(gone).status != HashSyncStatus.SOURCE_NOT_PRESENT) {
                        entries.add(HashSyncEntry.of(gone, synced.get(gone).upn, HashSyncStatus.SOURCE_NOT_PRESENT, 0));
                    }
                }
                if (full) {
                    logger.info("AGT-610 hash sync: full sync started source={} users={}", source.name(), entries.size());
                }
                int sent = sendAll(entries, full);
                boolean complete = sent == entries.size();
                if (full && complete) {
                    fullSyncDone = true;
                    fullSyncRequested = false;
                    logger.info("AGT-612 hash sync: full sync done source={} users={} millis={}", source.name(), sent,
                            (System.nanoTime() - started) / 1_000_000);
                }
                heartbeatIfIdle();
                return sent;
            } finally {
                users.forEach(SourceUser::wipe);
            }
        }
    }

    /** Writeback's own reset or change: sync this user at once, without waiting for the cycle. */
    public void pushNow(SourceUser user) {
        synchronized (lock) {
            try {
                sendAll(List.of(entryFor(user, statusOf(user))), false);
            } finally {
                user.wipe();
            }
        }
    }

    /**
     * Writeback's own reset or change through any directory: the NT hash is derived from the new password here,
     * before the caller wipes it, and synced at once. The caller still owns and wipes {@code newPassword}.
     */
    public void pushPassword(String anchor, String upn, char[] newPassword, boolean mustChange, long stamp) {
        pushNow(new SourceUser(anchor, upn, Pph1.ntHash(newPassword), mustChange, true, stamp));
    }

    /** How many users the relay has acknowledged with each status (for the agent's status and tests). */
    public Map<HashSyncStatus, Integer> counts() {
        synchronized (lock) {
            var out = new java.util.EnumMap<HashSyncStatus, Integer>(HashSyncStatus.class);
            synced.values().forEach(s -> out.merge(s.status, 1, Integer::sum));
            return out;
        }
    }

    /** Users waiting for a retry. */
    public int pendingRetries() {
        synchronized (lock) {
            return retry.size();
        }
    }

    private void cycleQuietly() {
        try {
            cycle();
        } catch (RuntimeException e) {
            logger.warn("AGT-619 hash sync cycle failed: {}", e.toString());
        }
    }

    private static HashSyncStatus statusOf(SourceUser u) {
        if (u.mustChange()) {
            return HashSyncStatus.FILTERED_BY_TARGET;
        }
        return u.ntHash() == null ? HashSyncStatus.MISSING_ATTRIBUTE : HashSyncStatus.SUCCESS;
    }

    private HashSyncEntry entryFor(SourceUser u, HashSyncStatus status) {
        if (status != HashSyncStatus.SUCCESS) {
            return HashSyncEntry.of(u.anchor(), u.upn(), status, u.stamp());
        }
        byte[] nt = u.ntHash();
        byte[] salt = Pph1.newSalt(random);
        byte[] hash = Pph1.derive(nt, salt);
        java.util.Arrays.fill(nt, (byte) 0);
        try {
            return new HashSyncEntry(u.anchor(), u.upn(), status, u.stamp(), salt, hash);
        } finally {
            java.util.Arrays.fill(hash, (byte) 0);
        }
    }

    /** Sends in bounded batches, one at a time; stops at the first failure. Returns how many users were acknowledged. */
    private int sendAll(List<HashSyncEntry> entries, boolean full) {
        int done = 0;
        for (int from = 0; from < entries.size(); from += MAX_BATCH) {
            List<HashSyncEntry> batch = entries.subList(from, Math.min(entries.size(), from + MAX_BATCH));
            long id = ++cursor;
            try {
                sink.send(id, full, batch);
            } catch (Exception e) {
                entries.subList(from, entries.size()).forEach(x -> retry.add(x.anchor()));
                logger.warn("AGT-613 hash sync: batch cursor={} users={} not acknowledged, {} users retried next cycle: {}",
                        id, batch.size(), entries.size() - from, LogSafe.of(e.toString()));
                return done;
            }
            lastSent = clock.instant();
            for (HashSyncEntry x : batch) {
                retry.remove(x.anchor());
                if (x.status() == HashSyncStatus.SOURCE_NOT_PRESENT) {
                    synced.remove(x.anchor());
                } else {
                    synced.put(x.anchor(), new Synced(x.stamp(), x.status(), x.upn()));
                }
            }
            done += batch.size();
            logger.info("AGT-614 hash sync: batch cursor={} users={} acknowledged", id, batch.size());
        }
        return done;
    }

    private void heartbeatIfIdle() {
        Instant now = clock.instant();
        if (lastSent != null && Duration.between(lastSent, now).compareTo(HEARTBEAT) < 0) {
            return;
        }
        long id = ++cursor;
        try {
            sink.send(id, false, List.of());
            lastSent = now;
            logger.info("AGT-615 hash sync heartbeat source={} users={}", source.name(), synced.size());
        } catch (Exception e) {
            logger.warn("AGT-616 hash sync heartbeat not acknowledged: {}", LogSafe.of(e.toString()));
        }
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    private record Synced(long stamp, HashSyncStatus status, String upn) {}
}
