package dev.writeback.agent.link;

import dev.writeback.protocol.RequestId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Remembers the ids of requests this agent has opened until they expire, so a request that arrives twice is
 * refused. Bounded: entries leave once their deadline has passed, and the set never exceeds its capacity.
 */
final class ReplayGuard {
    private final int capacity;
    private final Map<RequestId, Instant> seen = new HashMap<>();

    ReplayGuard(int capacity) {
        this.capacity = capacity;
    }

    /** Records the id; false when it was already seen (a replay) or the guard is full of live entries. */
    synchronized boolean firstTime(RequestId id, Instant expiresAt, Instant now) {
        if (seen.containsKey(id)) {
            return false;
        }
        if (seen.size() >= capacity) {
            prune(now);
            if (seen.size() >= capacity) {
                return false;
            }
        }
        seen.put(id, expiresAt);
        return true;
    }

    synchronized int size() {
        return seen.size();
    }

    private void prune(Instant now) {
        for (Iterator<Instant> it = seen.values().iterator(); it.hasNext(); ) {
            if (it.next().isBefore(now)) {
                it.remove();
            }
        }
    }
}
