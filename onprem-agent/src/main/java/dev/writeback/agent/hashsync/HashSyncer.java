package dev.writeback.agent.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.hashsync.HashSyncBatch;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.protocol.time.Scheduler;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password hash sync on the agent: a full sync first, then every {@link #CYCLE} the users whose password stamp moved
 * (and those that failed before), in batches of at most {@link #MAX_BATCH} users, one batch unacknowledged at a
 * time, so password operations on the same link are never queued behind a full sync. Users who must change their
 * password at next logon are sent as {@code FILTERED_BY_TARGET} without a hash; users gone from the source as
 * {@code SOURCE_NOT_PRESENT}. When a cycle has nothing to send and nothing was sent for {@link #HEARTBEAT}, an empty
 * batch tells the relay the sync is alive. Writeback's own resets and changes are pushed at once by
 * {@link #pushPassword}.
 *
 * <p>Each NT hash becomes a PPH1 value with a fresh random salt before it leaves this class; the NT hash bytes are
 * wiped after use and never logged.
 */
public final class HashSyncer implements AutoCloseable {
    /** The change cycle, as Entra Connect's. */
    public static final Duration CYCLE = Duration.ofMinutes(2);
    /** Idle heartbeat interval. */
    public static final Duration HEARTBEAT = Duration.ofMinutes(30);
    /**
     * Most users per batch (and at most {@link HashSyncBatch#MAX_ENTRY_BYTES} of them): the relay spends one
     * Argon2id per changed user before it acknowledges, so a batch stays a few seconds of its work.
     */
    public static final int MAX_BATCH = 100;

    private static final Logger logger = LoggerFactory.getLogger(HashSyncer.class);

    private final HashSource source;
    private final HashSyncSink sink;
    private final Clock clock;
    private final SecureRandom random;
    private final Object lock = new Object();
    /** Last stamp the relay acknowledged, per anchor, with the status sent. */
    private final Map<String, Synced> synced = new HashMap<>();
    private final Set<String> retry = new HashSet<>();
    /** Writeback's own changes waiting for the syncer's thread, one per anchor (guarded by itself). */
    private final Map<String, SourceUser> pushes = new java.util.LinkedHashMap<>();
    private boolean drainScheduled;
    private long cursor;
    /** Written under {@link #lock}; read without it, so status and READY listeners never wait for a batch. */
    private volatile boolean fullSyncDone;
    private boolean fullSyncRequested;
    private Instant lastHeartbeat;
    /** The relay said hash sync is off for the tenant: each cycle only asks (an empty batch) until it is on. */
    private volatile boolean relayOff;
    private volatile Scheduler.Cancellable schedule;

    /**
     * @param source where every user's hash is read each cycle, or null when only writeback's own changes are
     *     synced ({@link #pushPassword}): then a cycle only keeps the heartbeat
     */
    public HashSyncer(HashSource source, HashSyncSink sink, Clock clock, SecureRandom random) {
        this.source = source;
        this.sink = requireNonNull(sink, "sink");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    /** Runs a cycle now and then every {@link #CYCLE} on {@code scheduler} (tests pass a scheduler they drive). */
    public void start(Scheduler scheduler) {
        start(scheduler, Duration.ZERO);
    }

    /** Runs a cycle after {@code firstDelay} and then {@link #CYCLE} after each cycle ends, on {@code scheduler}. */
    public void start(Scheduler scheduler, Duration firstDelay) {
        schedule = scheduler.repeat(this::cycleQuietly, firstDelay, CYCLE);
    }

    /** Whether the initial full sync has been acknowledged (always true without a source). */
    public boolean fullSyncDone() {
        return source == null || fullSyncDone;
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
            if (relayOff && !askRelay()) {
                return 0;
            }
            if (source == null) {
                poll(false);
                return 0;
            }
            boolean full = !fullSyncDone || fullSyncRequested;
            long started = System.nanoTime();
            List<SourceUser> users;
            try {
                users = source.users(full);
            } catch (Exception e) {
                logger.warn("AGT-611 hash sync: source {} unreadable, retrying next cycle: {}", sourceName(), e.toString());
                return 0;
            }
            try {
                List<Item> entries = new ArrayList<>();
                Set<String> present = new HashSet<>();
                for (SourceUser u : users) {
                    present.add(u.anchor());
                    Synced last = synced.get(u.anchor());
                    HashSyncStatus status = statusOf(u);
                    if (!full && !retry.contains(u.anchor()) && last != null && last.stamp == u.stamp() && last.status == status) {
                        continue;
                    }
                    entries.add(new Item(u, status));
                }
                for (String gone : new ArrayList<>(synced.keySet())) {
                    if (!present.contains(gone) && synced.get(gone).status != HashSyncStatus.SOURCE_NOT_PRESENT) {
                        entries.add(new Item(new SourceUser(gone, synced.get(gone).upn, null, false, false, 0),
                                HashSyncStatus.SOURCE_NOT_PRESENT));
                    }
                }
                if (full) {
                    logger.info("AGT-610 hash sync: full sync started source={} users={}", sourceName(), entries.size());
                }
                int sent = sendAll(entries, full);
                boolean complete = sent == entries.size();
                if (full && complete) {
                    fullSyncDone = true;
                    fullSyncRequested = false;
                    logger.info("AGT-612 hash sync: full sync done source={} users={} millis={}", sourceName(), sent,
                            (System.nanoTime() - started) / 1_000_000);
                }
                poll(sent > 0);
                return sent;
            } finally {
                users.forEach(SourceUser::wipe);
            }
        }
    }

    /**
     * Writeback's own reset or change through any directory: the NT hash is derived from the new password here,
     * before the caller wipes it, and the user is synced on {@code executor} (the syncer's thread) as soon as it is
     * free. Pushes that arrive while it is busy (a full sync) are coalesced: one entry per user, the latest password
     * wins, and they travel together in batches, so a burst of resets neither queues without bound nor costs the
     * relay one batch per reset. The caller still owns and wipes {@code newPassword}.
     */
    public void pushPassword(String anchor, String upn, char[] newPassword, boolean mustChange, long stamp,
                             java.util.concurrent.Executor executor) {
        var user = new SourceUser(anchor, upn, Pph1.ntHash(newPassword), mustChange, true, stamp);
        boolean schedule;
        synchronized (pushes) {
            SourceUser replaced = pushes.put(anchor, user);
            if (replaced != null) {
                replaced.wipe();
            }
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) {
            try {
                executor.execute(this::drainPushes);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                takePushes().forEach(SourceUser::wipe);   // shutting down: the next full sync carries them
            }
        }
    }

    /** Users pushed and not yet sent (for tests and status). */
    public int pendingPushes() {
        synchronized (pushes) {
            return pushes.size();
        }
    }

    private List<SourceUser> takePushes() {
        synchronized (pushes) {
            var out = new ArrayList<>(pushes.values());
            pushes.clear();
            drainScheduled = false;
            return out;
        }
    }

    private void drainPushes() {
        List<SourceUser> users = takePushes();
        synchronized (lock) {
            try {
                if (relayOff || users.isEmpty()) {
                    return;
                }
                List<Item> entries = new ArrayList<>(users.size());
                for (SourceUser u : users) {
                    entries.add(new Item(u, statusOf(u)));
                }
                sendAll(entries, false);
            } finally {
                users.forEach(SourceUser::wipe);
            }
        }
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

    private String sourceName() {
        return source == null ? "writeback" : source.name();
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

    /**
     * The entry of one user: for {@code SUCCESS} the PPH1 value of its NT hash under a fresh salt. The user's NT hash
     * is left as it is (its owner wipes it); the derived hash is wiped here once the entry holds its own copy.
     */
    private HashSyncEntry entryFor(SourceUser u, HashSyncStatus status) {
        if (status != HashSyncStatus.SUCCESS) {
            return HashSyncEntry.of(u.anchor(), u.upn(), status, u.stamp());
        }
        byte[] salt = Pph1.newSalt(random);
        byte[] hash = Pph1.derive(u.ntHash(), salt);
        try {
            return new HashSyncEntry(u.anchor(), u.upn(), status, u.stamp(), salt, hash);
        } finally {
            java.util.Arrays.fill(hash, (byte) 0);
        }
    }

    /**
     * Sends in bounded batches, one at a time; stops at the first failure. Returns how many users were acknowledged.
     * Each batch's PPH1 values are derived just before it is sent, so a full sync of many users holds one batch of
     * them, not all, and the relay starts its work at once.
     */
    private int sendAll(List<Item> items, boolean full) {
        int done = 0;
        for (int from = 0, to; from < items.size(); from = to) {
            List<HashSyncEntry> batch = new ArrayList<>(Math.min(MAX_BATCH, items.size() - from));
            int bytes = 0;
            for (to = from; to < items.size() && batch.size() < MAX_BATCH; to++) {
                HashSyncEntry e = entryFor(items.get(to).user(), items.get(to).status());
                if (!batch.isEmpty() && bytes + e.wireBytes() > HashSyncBatch.MAX_ENTRY_BYTES) {
                    e.wipe();
                    break;
                }
                batch.add(e);   // an entry is at most a few KiB (an AD UPN is at most 1,024 characters)
                bytes += e.wireBytes();
            }
            long id = ++cursor;
            try {
                HashSyncSink.Reply reply = sink.send(id, full, batch);
                if (reply.fullSyncRequested()) {
                    fullSyncRequested = true;
                    logger.info("AGT-617 hash sync: the relay asked for a full sync; it starts at the next cycle");
                }
            } catch (HashSyncSink.SyncOff e) {
                batch.forEach(HashSyncEntry::wipe);
                turnedOff();
                return done;
            } catch (Exception e) {
                batch.forEach(HashSyncEntry::wipe);
                items.subList(from, items.size()).forEach(x -> retry.add(x.anchor()));
                logger.warn("AGT-613 hash sync: batch cursor={} users={} not acknowledged, {} users retried next cycle: {}",
                        id, batch.size(), items.size() - from, LogSafe.of(e.toString()));
                return done;
            }
            for (HashSyncEntry x : batch) {
                retry.remove(x.anchor());
                if (x.status() == HashSyncStatus.SOURCE_NOT_PRESENT) {
                    synced.remove(x.anchor());
                } else {
                    synced.put(x.anchor(), new Synced(x.stamp(), x.status(), x.upn()));
                }
                x.wipe();
            }
            done += batch.size();
            logger.info("AGT-614 hash sync: batch cursor={} users={} acknowledged", id, batch.size());
        }
        return done;
    }

    /**
     * A cycle that sent nothing still sends an empty batch: the relay's acknowledgement says whether an
     * administrator asked for a full sync, and the relay sees the sync alive. It is logged as the heartbeat (AGT-615)
     * once every {@link #HEARTBEAT}.
     */
    private void poll(boolean sentThisCycle) {
        if (sentThisCycle) {
            return;
        }
        Instant now = clock.instant();
        boolean heartbeatDue = lastHeartbeat == null || Duration.between(lastHeartbeat, now).compareTo(HEARTBEAT) >= 0;
        long id = ++cursor;
        try {
            HashSyncSink.Reply reply = sink.send(id, false, List.of());
            if (reply.fullSyncRequested()) {
                fullSyncRequested = true;
                logger.info("AGT-617 hash sync: the relay asked for a full sync; it starts at the next cycle");
            }
            if (heartbeatDue) {
                lastHeartbeat = now;
                logger.info("AGT-615 hash sync heartbeat source={} users={}", sourceName(), synced.size());
            }
        } catch (HashSyncSink.SyncOff e) {
            turnedOff();
        } catch (Exception e) {
            if (heartbeatDue) {
                lastHeartbeat = now;
                logger.warn("AGT-616 hash sync heartbeat not acknowledged: {}", LogSafe.of(e.toString()));
            } else {
                logger.debug("hash sync poll not acknowledged: {}", e.toString());
            }
        }
    }

    /** While the relay has sync off: an empty batch asks whether it is on now. True when it is. */
    private boolean askRelay() {
        try {
            sink.send(++cursor, false, List.of());
        } catch (HashSyncSink.SyncOff e) {
            return false;
        } catch (Exception e) {
            logger.debug("hash sync: relay not asked: {}", e.toString());
            return false;
        }
        relayOff = false;
        logger.info("AGT-621 hash sync is on for this tenant on the relay: a full sync starts now");
        return true;
    }

    /** The relay has sync off: what it held is deleted, so the sync starts again with a full one when it is on. */
    private void turnedOff() {
        if (!relayOff) {
            logger.info("AGT-618 hash sync is off for this tenant on the relay; asking again every cycle ({})",
                    dev.writeback.protocol.Durations.format(CYCLE));
        }
        relayOff = true;
        fullSyncDone = false;
        synced.clear();
        retry.clear();
    }

    /** Whether the relay last said hash sync is off for the tenant. */
    public boolean relayOff() {
        return relayOff;
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel();
        }
    }

    private record Synced(long stamp, HashSyncStatus status, String upn) {}

    /** A user to send this cycle; its entry (and PPH1 value) is made when its batch is. */
    private record Item(SourceUser user, HashSyncStatus status) {
        String anchor() {
            return user.anchor();
        }
    }
}
