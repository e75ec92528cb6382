package dev.writeback.agent.hashsync;

import dev.writeback.protocol.hashsync.HashSyncEntry;
import java.util.List;

/**
 * Where batches go: the relay link (sealed HASH_SYNC frames) or, in tests, the relay's receiver in-process. A call
 * returns once the relay acknowledged the batch, so at most one batch per syncer is unacknowledged at a time.
 */
public interface HashSyncSink {
    /**
     * Sends one batch; an empty batch is a heartbeat. Returns normally when the relay acknowledged it, throws when it
     * did not (link down, timeout, refused): the users in it are retried in the next cycle.
     *
     * @param cursor the batch's sequence number, increasing per syncer
     * @param fullSync whether this batch belongs to a full sync
     */
    void send(long cursor, boolean fullSync, List<HashSyncEntry> entries) throws Exception;
}
