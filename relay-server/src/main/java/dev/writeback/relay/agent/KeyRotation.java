package dev.writeback.relay.agent;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.relay.store.AgentKey;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rollover (DESIGN §4): the relay sends ROTATE_KEYS, the agent answers KEYS with a new RSA public key, the
 * relay stores a new package key and sends it back wrapped with that key. Both sides keep the previous version
 * for {@link #overlap()} so requests sealed before the switch still open, then destroy it.
 *
 * <p>An agent may hold several sessions at once (a GOAWAY reconnect, or connections to two relay nodes), but it
 * has one key ring. The exchange runs on one session only, at most one per agent at a time. That session seals
 * with the new version right after writing KEYS: the agent installs KEYS before it reads the next frame on that
 * connection. Every other session switches only once the agent has <em>said on that session</em> that it holds
 * the new version: a HEARTBEAT whose key version is newer than the session's (the agent sends one on every
 * connection as soon as it has installed a version, and one right after READY). Frames on one connection are read
 * in order, so a REQUEST the relay seals after that heartbeat reaches an agent that can open it, whatever the
 * timing between the agent's connections. No settle delay is guessed. Each session forgets the versions below its
 * new one {@link #overlap()} after it switched.
 */
public final class KeyRotation {
    private static final Logger logger = LoggerFactory.getLogger(KeyRotation.class);

    /** How long a node of a cluster holds the right to roll one agent's keys (its rollover takes seconds). */
    static final Duration LEASE = Duration.ofMinutes(10);

    private final SessionContext context;
    /** The rollover in progress per agent, until a heartbeat of the agent reports the new version. */
    private final ConcurrentHashMap<String, Rollover> rollovers = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder started = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder completed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();

    /** The phases {@link #rollovers(String)} counts. */
    public static final java.util.List<String> PHASES = java.util.List.of("started", "completed", "failed");

    /**
     * Rollovers since the relay started, by phase: {@code started} (ROTATE_KEYS sent), {@code completed} (the new
     * version stored and handed to the agent, RLY-402), {@code failed} (RLY-405, or a KEYS answer refused).
     */
    public long rollovers(String phase) {
        return switch (phase) {
            case "started" -> started.sum();
            case "completed" -> completed.sum();
            case "failed" -> failed.sum();
            default -> throw new IllegalArgumentException("phase: " + phase + " (expected: one of " + PHASES + ")");
        };
    }

    /** Rollovers started and not yet confirmed by the agent's heartbeat, nor ended with their session. */
    public int inProgress() {
        return rollovers.size();
    }

    /** A rollover to {@code version}, exchanged over {@code session}. */
    private record Rollover(AgentSession session, int version) {}

    /** Rotation for the sessions of one relay. */
    public KeyRotation(SessionContext context) {
        this.context = context;
    }

    /** How long a replaced key version stays usable: by default twice the longest request plus a minute. */
    public Duration overlap() {
        return context.config().keyOverlap();
    }

    /**
     * Starts a rollover of the agent's keys over one of its sessions (one not draining after GOAWAY, if any); every
     * other session of the agent follows once the agent confirms. False when none is connected.
     */
    public boolean rotate(String agentId) {
        var sessions = context.sessions().ofAgent(agentId);
        if (sessions.isEmpty()) {
            return false;
        }
        startLeased(sessions.stream().filter(s -> !s.draining()).findFirst().orElse(sessions.get(0)));
        return true;
    }

    /**
     * Starts a rollover over {@code session}; in a cluster only when this node takes the agent's rollover lease in
     * the store, so that exactly one node rolls an agent's keys and the others follow the agent's heartbeat.
     */
    private void startLeased(AgentSession session) {
        String node = context.nodeId();
        if (node.isEmpty()) {
            start(session);
            return;
        }
        try {
            context.blocking().execute(() -> {
                boolean mine;
                try {
                    mine = context.store().takeLease("key-rotation:" + session.agentId(), node, context.clock().instant(), LEASE);
                } catch (RuntimeException e) {
                    logger.warn("RLY-408 key rotation of agent={} not started: the rollover lease could not be read: {}",
                            session.agentId(), e.toString());
                    return;
                }
                if (mine) {
                    start(session);
                } else {
                    logger.debug("key rotation of agent={} is another node's (it holds the lease)", session.agentId());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            logger.debug("key rotation of agent={} not started: the relay is busy or stopping", session.agentId());
        }
    }

    /**
     * The newest version a new session of the agent may seal with: below a rollover that the agent has not yet
     * confirmed. The session learns the new version from its first heartbeat.
     */
    int sealingCeiling(String agentId) {
        Rollover r = rollovers.get(agentId);
        return r == null ? Integer.MAX_VALUE : r.version() - 1;
    }

    /** Rotates when the current key is older than the configured interval. */
    void rotateIfDue(AgentSession session) {
        if (rollovers.containsKey(session.agentId())) {
            return;   // one rollover per agent at a time; it ends when the agent confirms the new version
        }
        Instant created = session.keys().currentCreatedAt();
        if (created != null && Duration.between(created, context.clock().instant()).compareTo(context.config().keyRotationInterval()) >= 0) {
            logger.info("RLY-401 key version {} of agent={} is older than {}, rotating", session.keys().currentVersion(),
                    session.agentId(), context.config().keyRotationInterval());
            startLeased(session);
        }
    }

    /** Checks every live session for due rotation and destroys retired key versions past their overlap. */
    public void tick() {
        for (AgentSession s : context.sessions().all()) {
            s.channel().eventLoop().execute(() -> rotateIfDue(s));
        }
        context.blocking().execute(() -> {
            try {
                int destroyed = context.store().destroyRetiredKeys(context.clock().instant());
                if (destroyed > 0) {
                    logger.info("RLY-403 destroyed {} retired key versions", destroyed);
                }
            } catch (RuntimeException e) {
                logger.warn("RLY-404 destroying retired keys failed: {}", e.toString());
            }
        });
    }

    private void start(AgentSession session) {
        session.channel().eventLoop().execute(() -> {
            if (session.rotatingTo() != 0 || !session.channel().isActive()) {
                return;
            }
            int newest = context.sessions().ofAgent(session.agentId()).stream()
                    .mapToInt(s -> s.keys().currentVersion()).max().orElse(0);
            int next = Math.max(newest, session.keys().currentVersion()) + 1;
            if (rollovers.putIfAbsent(session.agentId(), new Rollover(session, next)) != null) {
                logger.debug("key rotation of agent={} already in progress", session.agentId());
                return;
            }
            session.rotatingTo(next);
            started.increment();
            session.channel().writeAndFlush(new Message.RotateKeys(next));
            logger.info("RLY-400 key rotation started agent={} from={} to={}", session.agentId(), next - 1, next);
        });
    }

    /**
     * A heartbeat on {@code session} says the agent holds {@code agentVersion} (on the session's event loop). A
     * rollover to it is confirmed; a session sealing with an older version switches to it now.
     */
    void onHeartbeat(AgentSession session, int agentVersion) {
        rollovers.computeIfPresent(session.agentId(), (id, r) -> agentVersion >= r.version() ? null : r);
        if (agentVersion <= session.keys().currentVersion() || session.keys().isEmpty()) {
            return;
        }
        String agentId = session.agentId();
        CompletableFuture.supplyAsync(() -> context.store().key(agentId, agentVersion), context.blocking())
                .whenComplete((found, error) -> session.channel().eventLoop().execute(() -> {
                    if (error != null || found.isEmpty() || found.get().retired()) {
                        logger.warn("RLY-406 agent={} reports key version {} which the relay cannot use for session={}: {}",
                                agentId, agentVersion, session.sessionId(), error != null ? error.toString()
                                        : found.isEmpty() ? "not stored" : "retired");
                        return;
                    }
                    switchTo(session, found.get());
                }));
    }

    /** Seals with {@code key} from now on and forgets the older versions after the overlap. */
    private void switchTo(AgentSession session, AgentKey key) {
        int previous = session.keys().currentVersion();
        if (key.version() <= previous || !session.channel().isActive()) {
            return;   // a second heartbeat raced the first, or the session is gone
        }
        session.keys().add(key);
        forgetOlderLater(session, key.version());
        logger.info("RLY-407 session switched key version agent={} session={} keyVersion={} previous={}",
                session.agentId(), session.sessionId(), key.version(), previous);
    }

    /** Called when a session is ready: forgets the retired versions it loaded once they are past the overlap. */
    void onReady(AgentSession session) {
        if (session.keys().holdsOlder()) {
            forgetOlderLater(session, session.keys().currentVersion());
        }
        rotateIfDue(session);
    }

    /**
     * Called when a session closed: a rollover exchanged over it ends here, finished or not, so that the next one
     * is not blocked. New sessions then seal with the newest stored version, as before the rollover started.
     */
    void onClosed(AgentSession session) {
        rollovers.computeIfPresent(session.agentId(), (id, r) -> r.session() == session ? null : r);
    }

    private void forgetOlderLater(AgentSession session, int version) {
        session.channel().eventLoop().schedule(() -> session.keys().forgetBelow(version), overlap().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Handles the agent's KEYS answer (on the session's event loop). */
    void onKeys(AgentSession session, Message.Keys keys) {
        if (session.rotatingTo() == 0 || keys.keyVersion() != session.rotatingTo() || keys.rsaPublicKey().length == 0) {
            session.channel().writeAndFlush(new Message.ErrorMessage(RequestId.ZERO, ErrorCode.UNEXPECTED_FRAME,
                    "KEYS version " + keys.keyVersion() + " (expected: " + session.rotatingTo() + " after ROTATE_KEYS)"));
            return;
        }
        PublicKey rsa;
        try {
            rsa = KeyPairs.encryptionPublicKey(keys.rsaPublicKey());
        } catch (IllegalArgumentException e) {
            session.rotatingTo(0);
            failed.increment();
            rollovers.remove(session.agentId(), new Rollover(session, keys.keyVersion()));
            session.channel().writeAndFlush(new Message.ErrorMessage(RequestId.ZERO, ErrorCode.MALFORMED_FRAME, e.getMessage()));
            return;
        }
        int version = keys.keyVersion();
        PackageKey packageKey = PackageKey.generate(version, context.random());
        CompletableFuture.supplyAsync(() -> persist(session, version, keys.rsaPublicKey(), packageKey), context.blocking())
                .whenComplete((stored, error) -> session.channel().eventLoop().execute(() -> {
                    session.rotatingTo(0);
                    if (error != null) {
                        rollovers.remove(session.agentId(), new Rollover(session, version));
                        packageKey.close();
                        failed.increment();
                        logger.warn("RLY-405 key rotation failed agent={} version={}: {}", session.agentId(), version, error.toString());
                        return;
                    }
                    byte[] wrapped = RsaOaep.wrap(packageKey, rsa, context.random());
                    packageKey.close();
                    int previous = session.keys().currentVersion();
                    session.keys().add(stored);
                    // Sealing with the new version on this session is safe from here on: the agent installs KEYS
                    // before it reads the next frame of this connection. Other sessions wait for its heartbeat.
                    session.channel().writeAndFlush(new Message.Keys(version, new byte[0], wrapped));
                    forgetOlderLater(session, version);
                    completed.increment();
                    logger.info("RLY-402 key rotation done agent={} keyVersion={} previous={} destroyedAfter={}",
                            session.agentId(), version, previous, overlap());
                }));
    }

    private AgentKey persist(AgentSession session, int version, byte[] rsaDer, PackageKey key) {
        var store = context.store();
        Instant now = context.clock().instant();
        AgentKey stored = store.rotateKey(session.agentId(), rsaDer, key, now.plus(overlap()));
        store.appendAudit(new AuditRecord(0, now, session.tenantId(), "", "relay", AuditEvent.KEYS_ROTATED.name(), "",
                AuditEvent.OK, null, session.agentId(), 0, "key version " + version));
        return stored;
    }
}
