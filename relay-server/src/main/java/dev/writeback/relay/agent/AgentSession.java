package dev.writeback.relay.agent;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.relay.routing.AgentEndpoint;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.SealingKey;
import io.netty.channel.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated agent connection: it carries sealed requests and their frames, and reports each step to the
 * request's {@link InFlight}, which decides what it means. Requests in flight are tracked per session and
 * touched only on the channel's event loop; other threads hand work over with {@link #deliver}.
 */
public final class AgentSession implements AgentEndpoint {
    private static final Logger logger = LoggerFactory.getLogger(AgentSession.class);
    /** Counts deliveries over every session: the order of picks, with no clock in it. */
    private static final java.util.concurrent.atomic.AtomicLong PICKS = new java.util.concurrent.atomic.AtomicLong();

    private final Channel channel;
    private final String agentId;
    private final String agentName;
    private final String tenantId;
    private final String sessionId;
    private final Instant connectedAt;
    private final Clock clock;
    private final int maxInFlight;
    private final SessionKeys keys;
    private final CommitAudit audit;
    private final Map<RequestId, Tracked> pending = new HashMap<>();

    private volatile int inFlight;
    private volatile long lastPicked;
    private volatile boolean draining;
    private volatile String version;
    private volatile Instant lastHeartbeat;
    private volatile boolean overdueReported;
    private volatile List<DirectoryStatus> directories = List.of();
    private volatile int rotatingTo;

    AgentSession(Channel channel, String agentId, String agentName, String tenantId, String sessionId, String version,
                 SessionKeys keys, Clock clock, int maxInFlight, CommitAudit audit) {
        this.channel = channel;
        this.agentId = agentId;
        this.agentName = agentName;
        this.tenantId = tenantId;
        this.sessionId = sessionId;
        this.version = version;
        this.keys = keys;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.audit = audit;
        this.connectedAt = clock.instant();
    }

    @Override
    public String agentId() {
        return agentId;
    }

    /** The agent's registered name. */
    public String agentName() {
        return agentName;
    }

    /** The tenant the agent belongs to. */
    public String tenantId() {
        return tenantId;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    /** Requests written and not yet finished. */
    public int inFlight() {
        return inFlight;
    }

    /** When this session was last chosen for a request, as a position in {@link #PICKS}, to spread ties. */
    long lastPicked() {
        return lastPicked;
    }

    /**
     * Whether this session may take new requests: open, not draining, and below its in-flight limit. It says
     * nothing of the agent's directories: {@link #directoriesHealthy} does, and the choice of agent weighs both.
     */
    public boolean acceptsWork() {
        return channel.isActive() && !draining && inFlight < maxInFlight;
    }

    /** Whether the last heartbeat reported every directory reachable (true before the first heartbeat). */
    public boolean directoriesHealthy() {
        return directories.stream().allMatch(DirectoryStatus::reachable);
    }

    /** What the status API shows of this session. */
    public LiveAgent live(Duration overdueAfter) {
        return new LiveAgent(agentId, sessionId, String.valueOf(channel.remoteAddress()), connectedAt, lastHeartbeat,
                heartbeatOverdue(overdueAfter), version, keys.currentVersion(), inFlight, directories);
    }

    @Override
    public SealingKey sealingKey() {
        SessionKeys.Current now = keys.sealing();
        if (now == null) {
            throw new IllegalStateException("agent " + agentId + " holds no key version yet");
        }
        return new SealingKey(tenantId, agentId, now.key(), now.rsa());
    }

    /** The package key of {@code version}, while this session holds it (a forwarded result is sealed with it). */
    public java.util.Optional<dev.writeback.protocol.crypto.PackageKey> packageKey(int version) {
        return keys.key(version);
    }

    /**
     * Writes a request sealed for this agent. Every step is reported to {@code flight}, on this session's event
     * loop; the flight decides what it means.
     */
    @Override
    public void deliver(InFlight flight) {
        lastPicked = PICKS.incrementAndGet();
        try {
            channel.eventLoop().execute(() -> deliverOnLoop(flight));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            flight.notTaken(InFlight.Miss.GONE);   // the relay is shutting down this session's event loop
        }
    }

    private void deliverOnLoop(InFlight flight) {
        if (!channel.isActive() || draining) {
            flight.notTaken(InFlight.Miss.GONE);
            return;
        }
        if (pending.size() >= maxInFlight) {
            flight.notTaken(InFlight.Miss.BUSY);
            return;
        }
        if (keys.key(flight.sealed().keyVersion()).isEmpty()) {
            flight.notTaken(InFlight.Miss.GONE);   // sealed with a version this session has dropped meanwhile
            return;
        }
        RequestId requestId = flight.info().requestId();
        long delayMillis = Duration.between(clock.instant(), flight.info().expiresAt()).toMillis();
        if (delayMillis <= 0) {
            flight.expiredBeforeWrite();
            return;
        }
        var t = new Tracked(flight);
        pending.put(requestId, t);
        inFlight = pending.size();
        t.deadline = channel.eventLoop().schedule(() -> expire(requestId), delayMillis, TimeUnit.MILLISECONDS);
        channel.writeAndFlush(new Message.Request(requestId, flight.sealed().sealed())).addListener(f -> {
            if (f.isSuccess()) {
                flight.written();
                return;
            }
            if (remove(requestId) != null) {
                flight.writeFailed();
            }
        });
    }

    void onAccepted(RequestId requestId) {
        Tracked t = pending.get(requestId);
        if (t == null) {
            logger.debug("RLY-320 ACCEPTED for unknown request agent={} requestId={}", agentId, requestId);
            return;
        }
        InFlight flight = t.flight;
        if (!flight.accepted()) {
            return;   // a repeated ACCEPTED: its COMMIT is already on its way
        }
        CompletableFuture<Void> audited;
        try {
            audited = audit.beforeCommit(tenantId, requestId.toString(), agentId, flight.info().operation().name(),
                    flight.info().anchor());
        } catch (RuntimeException e) {
            audited = CompletableFuture.failedFuture(e);
        }
        // The audit record is durable before the COMMIT goes out (DESIGN §2); it is written off the event loop.
        audited.whenComplete((v, failure) -> {
            try {
                channel.eventLoop().execute(() -> commit(t, failure));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                logger.debug("event loop gone before COMMIT agent={} requestId={}", agentId, requestId);
            }
        });
    }

    private void commit(Tracked t, Throwable auditFailure) {
        RequestId requestId = t.flight.info().requestId();
        if (pending.get(requestId) != t || !t.flight.commitAllowed()) {
            return;   // finished meanwhile: deadline passed or the connection closed (and it moved on)
        }
        if (auditFailure != null) {
            remove(requestId);
            t.flight.auditFailed(auditFailure);
            return;
        }
        t.flight.commitSending();
        channel.writeAndFlush(new Message.Commit(requestId)).addListener(f -> t.flight.commitWritten(f.isSuccess()));
    }

    void onResult(Message.Result result) {
        Tracked t = remove(result.requestId());
        if (t == null) {
            logger.warn("RLY-321 RESULT for unknown or expired request agent={} requestId={}", agentId, result.requestId());
            return;
        }
        int version = t.flight.sealed().keyVersion();
        Outcome outcome;
        try {
            PackageKey key = keys.key(version).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                    "key version: " + version + " (expected: a version this session holds)"));
            outcome = Sealing.openResult(result.sealed(), context(FrameType.RESULT, result.requestId()), key);
        } catch (ProtocolException e) {
            logger.warn("RLY-322 result rejected agent={} requestId={}: {}", agentId, result.requestId(), e.getMessage());
            t.flight.resultUnreadable(e.getMessage());
            return;
        }
        t.flight.result(outcome);
    }

    void onRequestError(Message.ErrorMessage error) {
        Tracked t = remove(error.requestId());
        if (t != null) {
            t.flight.refused(error.code(), error.message());
        }
    }

    void onHeartbeat(Message.Heartbeat hb) {
        version = hb.agentVersion();
        lastHeartbeat = clock.instant();
        directories = hb.directories();
        if (overdueReported) {
            overdueReported = false;
            logger.info("RLY-312 heartbeat resumed agent={} tenant={}", agentId, tenantId);
        }
    }

    /** Stops taking requests and closes the connection with a WebSocket close reason. */
    public void close(String reason) {
        draining = true;
        String text = reason.length() > 100 ? reason.substring(0, 100) : reason;
        channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(
                io.netty.handler.codec.http.websocketx.WebSocketCloseStatus.POLICY_VIOLATION, text))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    /** Marks the session as draining after GOAWAY: no new requests, in-flight ones finish. */
    public void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** Reports the loss to everything in flight when the connection closed. */
    void onClosed() {
        channel.eventLoop().execute(() -> {
            for (RequestId id : new ArrayList<>(pending.keySet())) {
                Tracked t = remove(id);
                if (t != null) {
                    t.flight.connectionLost();
                }
            }
            keys.destroy();
        });
    }

    boolean heartbeatOverdue(Duration overdueAfter) {
        Instant last = lastHeartbeat != null ? lastHeartbeat : connectedAt;
        return Duration.between(last, clock.instant()).compareTo(overdueAfter) > 0;
    }

    /** Returns true the first time an overdue heartbeat is noticed, so it is logged once per episode. */
    public boolean markOverdue() {
        if (overdueReported) {
            return false;
        }
        overdueReported = true;
        return true;
    }

    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    Channel channel() {
        return channel;
    }

    SessionKeys keys() {
        return keys;
    }

    int rotatingTo() {
        return rotatingTo;
    }

    void rotatingTo(int version) {
        rotatingTo = version;
    }

    EnvelopeContext context(FrameType type, RequestId requestId) {
        return new EnvelopeContext(type, requestId, tenantId, agentId);
    }

    private Tracked remove(RequestId id) {
        Tracked t = pending.remove(id);
        inFlight = pending.size();
        if (t != null && t.deadline != null) {
            t.deadline.cancel(false);
        }
        return t;
    }

    private void expire(RequestId id) {
        Tracked t = remove(id);
        if (t != null) {
            t.flight.deadlinePassed();
        }
    }

    /** A request on this session, and its deadline timer (event loop only). */
    private static final class Tracked {
        final InFlight flight;
        ScheduledFuture<?> deadline;

        Tracked(InFlight flight) {
            this.flight = flight;
        }
    }

    @Override
    public String toString() {
        return "AgentSession[agent=" + agentId + ", tenant=" + tenantId + ", session=" + sessionId + "]";
    }
}
