package dev.writeback.relay.cluster;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.time.Scheduler;
import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.LiveAgent;
import dev.writeback.relay.store.SessionRow;
import dev.writeback.relay.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which agent sessions every node holds, through the shared store: this node writes its own every
 * {@link #EVERY} and at once when it gains or loses an agent; it reads the others' rows written within
 * {@link #EXPIRY} (a node that died stops refreshing its rows, and they drop out). The status API, the portal's
 * "is writeback up" and {@code relay agents list} see them.
 */
public final class SessionPresence {
    private static final Logger logger = LoggerFactory.getLogger(SessionPresence.class);
    /** How often this node rewrites its rows. */
    public static final Duration EVERY = Duration.ofSeconds(5);
    /** Rows older than this are a node's that stopped (or lost the store). */
    public static final Duration EXPIRY = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DIRECTORIES_JSON = 8000;

    private final String nodeId;
    private final Store store;
    private final AgentSessions sessions;
    private final Clock clock;
    private final Duration heartbeatOverdue;
    private volatile Scheduler.Cancellable refresh;
    private volatile boolean stopped;

    public SessionPresence(String nodeId, Store store, AgentSessions sessions, Clock clock, Duration heartbeatOverdue) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.store = requireNonNull(store, "store");
        this.sessions = requireNonNull(sessions, "sessions");
        this.clock = requireNonNull(clock, "clock");
        this.heartbeatOverdue = requireNonNull(heartbeatOverdue, "heartbeatOverdue");
    }

    /** Publishes now, every {@link #EVERY}, and when this node gains or loses an agent; store writes on {@code blocking}. */
    public void start(Scheduler timers, Executor blocking) {
        sessions.onPresence((agentId, present) -> later(blocking));
        refresh = timers.repeat(() -> later(blocking), Duration.ZERO, EVERY);
    }

    private void later(Executor blocking) {
        if (stopped) {
            return;
        }
        try {
            blocking.execute(this::publishQuietly);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            logger.debug("sessions not published: the blocking pool is stopping");
        }
    }

    /** Writes this node's sessions as they are now. */
    public void publish() {
        Instant now = clock.instant();
        List<SessionRow> rows = sessions.all().stream().map(s -> row(s, now)).toList();
        store.publishSessions(nodeId, rows);
    }

    private void publishQuietly() {
        if (stopped) {
            return;
        }
        try {
            publish();
        } catch (RuntimeException e) {
            logger.warn("RLY-254 this node's agent sessions not written to the store: {}", e.getMessage());
        }
    }

    /** The sessions of a tenant's agents that other nodes hold. */
    public List<LiveAgent> elsewhere(String tenantId) {
        Instant now = clock.instant();
        Set<String> here = sessions.of(tenantId).stream().map(AgentSession::sessionId).collect(Collectors.toSet());
        return store.sessions(tenantId, now.minus(EXPIRY)).stream()
                .filter(r -> !r.nodeId().equals(nodeId) && !here.contains(r.sessionId()))
                .map(r -> live(r, now))
                .toList();
    }

    /** Stops refreshing and removes this node's rows (a node that stops holds no session). */
    public void stop() {
        stopped = true;
        Scheduler.Cancellable r = refresh;
        if (r != null) {
            r.cancel();
        }
        try {
            store.publishSessions(nodeId, List.of());
        } catch (RuntimeException e) {
            logger.debug("sessions of node {} not removed at stop (they expire): {}", nodeId, e.getMessage());
        }
    }

    private SessionRow row(AgentSession session, Instant now) {
        LiveAgent live = session.live(heartbeatOverdue);
        String directories;
        try {
            directories = JSON.writeValueAsString(live.directories());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            directories = "[]";
        }
        if (directories.length() > MAX_DIRECTORIES_JSON) {
            directories = "[]";   // never a cut (invalid) JSON: the other nodes then show no directories
        }
        return new SessionRow(live.sessionId(), nodeId, session.tenantId(), live.agentId(), live.remoteAddress(),
                live.connectedAt(), live.lastHeartbeat(), live.version(), live.keyVersion(), live.inFlight(), directories,
                now);
    }

    private LiveAgent live(SessionRow r, Instant now) {
        List<DirectoryStatus> directories;
        try {
            directories = JSON.readValue(r.directories(), new TypeReference<List<DirectoryStatus>>() {});
        } catch (java.io.IOException | RuntimeException e) {
            directories = List.of();
        }
        Instant reference = r.lastHeartbeat() != null ? r.lastHeartbeat() : r.connectedAt();
        boolean overdue = reference.plus(heartbeatOverdue).isBefore(now);
        return new LiveAgent(r.agentId(), r.sessionId(), r.remote(), r.connectedAt(), r.lastHeartbeat(), overdue,
                r.version(), r.keyVersion(), r.inFlight(), directories, r.nodeId());
    }
}
