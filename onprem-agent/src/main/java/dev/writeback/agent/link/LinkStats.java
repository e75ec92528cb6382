package dev.writeback.agent.link;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters the agent reports in its heartbeats; shared across connections. */
public final class LinkStats {
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicLong inFlightBytes = new AtomicLong();
    final AtomicLong busy = new AtomicLong();
    final AtomicLong hashSyncBatches = new AtomicLong();
    final AtomicLong hashSyncBytes = new AtomicLong();

    /** Operations that ended SUCCESS. */
    public long succeeded() {
        return succeeded.get();
    }

    /** Operations that ended with any other result. */
    public long failed() {
        return failed.get();
    }

    /** Requests refused before reaching a directory (bad tag, unknown key, expired, replayed). */
    public long rejected() {
        return rejected.get();
    }

    /** Requests accepted and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Sealed bytes of the requests in flight. */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    /** Requests answered BUSY because the agent was at its in-flight limit. */
    public long busy() {
        return busy.get();
    }

    /** Hash sync batches written to the relay (empty polls included). */
    public long hashSyncBatches() {
        return hashSyncBatches.get();
    }

    /** Bytes of those HASH_SYNC frames: the sealed body plus the frame's header and cursor. */
    public long hashSyncBytes() {
        return hashSyncBytes.get();
    }
}
