package dev.writeback.protocol.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Message;
import java.util.List;

/**
 * What one HASH_SYNC frame carries once opened: its cursor, whether it belongs to a full sync, and its entries (at
 * most {@link Message.HashSync#MAX_ENTRIES}; none for a heartbeat). {@code toString} shows no hash.
 */
public record HashSyncBatch(long cursor, boolean fullSync, List<HashSyncEntry> entries) {
    /** Most plaintext bytes of entries in one batch: the sealed body must fit one frame. */
    public static final int MAX_ENTRY_BYTES = 60_000;

    public HashSyncBatch {
        if (cursor <= 0) {
            throw new IllegalArgumentException("hash sync cursor: " + cursor + " (expected: > 0)");
        }
        entries = List.copyOf(requireNonNull(entries, "entries"));
        if (entries.size() > Message.HashSync.MAX_ENTRIES) {
            throw new IllegalArgumentException("hash sync batch: " + entries.size() + " entries (expected: at most "
                    + Message.HashSync.MAX_ENTRIES + ")");
        }
    }

    /** Overwrites every salt and hash the batch holds. */
    public void wipe() {
        entries.forEach(HashSyncEntry::wipe);
    }

    @Override
    public String toString() {
        return "HashSyncBatch[cursor=" + cursor + ", fullSync=" + fullSync + ", entries=" + entries.size() + "]";
    }
}
