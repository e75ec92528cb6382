package dev.writeback.agent.hashsync;

import dev.writeback.protocol.hashsync.HashSyncEntry;
import java.util.List;

/**
 * Where batches go: the relay link (sealed HASH_SYNC frames) or, in tests, the relay's receiver in-process. A call
 * returns once the relay acknowledged the batch, so at most one batch per syncer is unacknowledged at a time.
 */
public interface HashSyncSink {
    /**
     * Sends one batch; an empty batch is a heartbeat. Returns when the relay stored it, throws when it did not
     * (link down, timeout, refused): the users in it are retried in the next cycle.
     *
     * @param cursor the batch's sequence number, increasing per syncer
     * @param fullSync whether this batch belongs to a full sync
     * @throws SyncOff when hash sync is off for the tenant on the relay
     */
    Reply send(long cursor, boolean fullSync, List<HashSyncEntry> entries) throws Exception;

    /** What the relay's acknowledgement said besides "stored". */
    record Reply(boolean fullSyncRequested) {}

    /** The relay stores nothing: hash sync is off for the tenant. */
    final class SyncOff extends Exception {
        private static final long serialVersionUID = 1L;

        public SyncOff() {
            super("hash sync is off for this tenant on the relay", null, false, false);
        }
    }
}
