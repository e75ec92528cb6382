package dev.writeback.relay.agent;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * What every agent connection handler shares: configuration, the store, the live sessions, time, randomness
 * and the executor for blocking store calls (never run on an event loop), and hash sync's intake (null: none).
 */
public record SessionContext(RelayConfig config, Store store, AgentSessions sessions, Clock clock, SecureRandom random,
                             Executor blocking, String relayName, dev.writeback.relay.hashsync.HashSyncIntake hashSync,
                             String nodeId) {
    /** The context of a relay on its own (no node id in READY). */
    public SessionContext(RelayConfig config, Store store, AgentSessions sessions, Clock clock, SecureRandom random,
                          Executor blocking, String relayName, dev.writeback.relay.hashsync.HashSyncIntake hashSync) {
        this(config, store, sessions, clock, random, blocking, relayName, hashSync, "");
    }

    public SessionContext {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(config, "config");
        requireNonNull(store, "store");
        requireNonNull(sessions, "sessions");
        requireNonNull(clock, "clock");
        requireNonNull(random, "random");
        requireNonNull(blocking, "blocking");
        requireNonNull(relayName, "relayName");
    }

    /** Without hash sync (tests of other parts): HASH_SYNC frames are answered "not stored, sync off". */
    public SessionContext(RelayConfig config, Store store, AgentSessions sessions, Clock clock, SecureRandom random,
                          Executor blocking, String relayName) {
        this(config, store, sessions, clock, random, blocking, relayName, null);
    }
}
