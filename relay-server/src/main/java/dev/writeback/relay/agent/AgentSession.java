package dev.writeback.relay.agent;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.relay.agent.Pending.Miss;
import dev.writeback.relay.agent.LiveAgent;
import io.netty.channel.Channel;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One authenticated agent connection. Requests in flight are tracked per session and touched only on the
 * channel's event loop; other threads hand work over with {@link #deliver}.
 */
public final class AgentSession {
    private static final Logger logger = LoggerFactory.getLogger(AgentSession.class);

    private final Channel channel;
    private final String agentId;
    private final String agentName;
    private final String tenantId;
    private final String sessionId;
    private final Instant connectedAt;
    private final Clock clock;
    private final SecureRandom random;
    private final int maxInFlight;
    private final SessionKeys keys;
    private final java.util.concurrent.Executor sealer;
    private int sealing;   // requests being sealed off the event loop; count toward maxInFlight (event loop only)
    private final CommitAudit audit;
    private final Map<RequestId, Pending> pending = new HashMap<>();

    private volatile int inFlight;
    private volatile long lastPicked;
    private volatile boolean draining;
    private volatile String version;
    private volatile Instant lastHeartbeat;
    private volatile boolean overdueReported;
    private volatile List<DirectoryStatus> directories = List.of();
    private volatile int rotatingTo;

    AgentSession(Channel channel, String agentId, String agentName, String tenantId, String sessionId, String version,
                 SessionKeys keys, Clock clock, SecureRandom random, int maxInFlight, java.util.concurrent.Executor sealer,
                 CommitAudit audit) {
        this.sealer = java.util.Objects.requireNonNull(sealer, "sealer");
        this.channel = channel;
        this.agentId = agentId;
        this.agentName = agentName;
        this.tenantId = tenantId;
        this.sessionId = sessionId;
        this.version = version;
        this.keys = keys;
        this.clock = clock;
        this.random = random;
        this.maxInFlight = maxInFlight;
        this.audit = audit;
        this.connectedAt = clock.instant();
    }

    /** The agent's id. */
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

    /** This connection's id. */
    public String sessionId() {
        return sessionId;
    }

    /** Requests written and not yet finished. */
    public int inFlight() {
        return inFlight;
    }

    /** When this session was last chosen for a request ({@link System#nanoTime()}), to spread ties. */
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

    /**
     * Seals {@code request} for this agent and writes it. Exactly one of the callbacks runs, once: the outcome
     * (RESULT, deadline, rejection) or a miss (busy, closed before acceptance) that the router may retry elsewhere.
     */
    public void deliver(RequestId requestId, PasswordRequest request, Consumer<Outcome> onOutcome, Consumer<Miss> onMiss) {
        lastPicked = System.nanoTime();
        try {
            channel.eventLoop().execute(() -> deliverOnLoop(requestId, request, onOutcome, onMiss));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            onMiss.accept(Miss.GONE);   // the relay is shutting down this session's event loop
        }
    }

    private void deliverOnLoop(RequestId requestId, PasswordRequest request, Consumer<Outcome> onOutcome,
                               Consumer<Miss> onMiss) {
        if (!channel.isActive() || draining) {
            onMiss.accept(Miss.GONE);
            return;
        }
        if (pending.size() + sealing >= maxInFlight) {
            onMiss.accept(Miss.BUSY);
            return;
        }
        if (!request.expiresAt().isAfter(clock.instant())) {
            onOutcome.accept(Outcome.of(ResultCode.TIMEOUT, "deadline passed before the request could be delivered"));
            return;
        }
        // Sealing (an RSA-OAEP block with the tenant's key: up to 4096 bits) runs on the blocking pool, not here:
        // this event loop serves other tenants' connections too, and one tenant's big key must not stall them.
        int version = keys.currentVersion();
        PackageKey key = keys.currentKey();
        PublicKey rsa = keys.currentRsa();
        sealing++;
        try {
            sealer.execute(() -> {
                byte[] sealed;
                try {
                    sealed = Sealing.sealRequest(request, key, rsa, context(FrameType.REQUEST, requestId), random);
                } catch (RuntimeException e) {
                    channel.eventLoop().execute(() -> sealing--);
                    logger.warn("RLY-530 sealing failed agent={} requestId={}: {}", agentId, requestId, e.getMessage());
                    onOutcome.accept(Outcome.of(ResultCode.INTERNAL_ERROR, "sealing failed: " + e.getMessage()));
                    return;
                }
                try {
                    channel.eventLoop().execute(() -> send(requestId, request, version, sealed, onOutcome, onMiss));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    onMiss.accept(Miss.GONE);   // the event loop is shutting down
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            sealing--;
            onMiss.accept(Miss.BUSY);   // the blocking pool's queue is full
        }
    }

    /** Writes a sealed request; on the event loop. */
    private void send(RequestId requestId, PasswordRequest request, int version, byte[] sealed, Consumer<Outcome> onOutcome,
                      Consumer<Miss> onMiss) {
        sealing--;
        if (!channel.isActive() || draining) {
            onMiss.accept(Miss.GONE);
            return;
        }
        long delayMillis = Duration.between(clock.instant(), request.expiresAt()).toMillis();
        if (delayMillis <= 0) {
            onOutcome.accept(Outcome.of(ResultCode.TIMEOUT, "deadline passed before the request could be delivered"));
            return;
        }
        var p = new Pending(requestId, version, onOutcome, onMiss);
        p.operation = request.operation().name();
        p.anchor = request.anchor().toString();
        pending.put(requestId, p);
        inFlight = pending.size();
        p.deadline = channel.eventLoop().schedule(() -> expire(requestId), delayMillis, TimeUnit.MILLISECONDS);
        channel.writeAndFlush(new Message.Request(requestId, sealed)).addListener(f -> {
            if (f.isSuccess()) {
                return;
            }
            Pending q = remove(requestId);
            if (q != null) {
                q.onMiss.accept(Miss.GONE);
            }
        });
    }

    void onAccepted(RequestId requestId) {
        Pending p = pending.get(requestId);
        if (p == null) {
            logger.debug("RLY-320 ACCEPTED for unknown request agent={} requestId={}", agentId, requestId);
            return;
        }
        if (p.accepted) {
            return;   // a repeated ACCEPTED: its COMMIT is already on its way
        }
        p.accepted = true;
        CompletableFuture<Void> audited;
        try {
            audited = audit.beforeCommit(tenantId, requestId.toString(), agentId, p.operation, p.anchor);
        } catch (RuntimeException e) {
            audited = CompletableFuture.failedFuture(e);
        }
        // The audit record is durable before the COMMIT goes out (DESIGN §2); it is written off the event loop.
        audited.whenComplete((v, failure) -> {
            try {
                channel.eventLoop().execute(() -> commit(p, failure));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                logger.debug("event loop gone before COMMIT agent={} requestId={}", agentId, requestId);
            }
        });
    }

    private void commit(Pending p, Throwable auditFailure) {
        if (pending.get(p.requestId) != p) {
            return;   // finished meanwhile: deadline passed or the connection closed (and it moved on)
        }
        if (auditFailure != null) {
            remove(p.requestId);
            logger.warn("RLY-344 audit record not written agent={} requestId={}: COMMIT withheld, nothing applied: {}",
                    agentId, p.requestId, auditFailure.toString());
            p.onOutcome.accept(Outcome.of(ResultCode.INTERNAL_ERROR,
                    "relay: the audit record could not be written before COMMIT, so none was sent; nothing was applied"));
            return;
        }
        p.commit = Pending.Commit.SENDING;
        channel.writeAndFlush(new Message.Commit(p.requestId)).addListener(f ->
                p.commit = f.isSuccess() ? Pending.Commit.WRITTEN : Pending.Commit.FAILED);
    }

    void onResult(Message.Result result) {
        Pending p = remove(result.requestId());
        if (p == null) {
            logger.warn("RLY-321 RESULT for unknown or expired request agent={} requestId={}", agentId, result.requestId());
            return;
        }
        Outcome outcome;
        try {
            PackageKey key = keys.key(p.keyVersion).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                    "key version: " + p.keyVersion + " (expected: a version this session holds)"));
            outcome = Sealing.openResult(result.sealed(), context(FrameType.RESULT, result.requestId()), key);
        } catch (ProtocolException e) {
            logger.warn("RLY-322 result rejected agent={} requestId={}: {}", agentId, result.requestId(), e.getMessage());
            outcome = Outcome.of(ResultCode.OUTCOME_UNKNOWN, "agent result did not open: " + e.getMessage());
        }
        p.onOutcome.accept(outcome);
    }

    void onRequestError(Message.ErrorMessage error) {
        Pending p = remove(error.requestId());
        if (p == null) {
            return;
        }
        if (error.code() == ErrorCode.BUSY && !p.accepted) {
            p.onMiss.accept(Miss.BUSY);
            return;
        }
        ResultCode code = switch (error.code()) {
            case EXPIRED -> ResultCode.EXPIRED;
            case BAD_TAG, UNKNOWN_KEY_VERSION, REPLAYED, MALFORMED_FRAME -> ResultCode.REJECTED_MESSAGE;
            default -> ResultCode.INTERNAL_ERROR;
        };
        p.onOutcome.accept(Outcome.of(code, "agent rejected the request: " + error.code() + ": " + error.message()));
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

    /** Fails or hands back everything in flight when the connection closed. */
    void onClosed() {
        channel.eventLoop().execute(() -> {
            for (Pending p : new ArrayList<>(pending.values())) {
                remove(p.requestId);
                if (p.commit.mayHaveReachedAgent()) {
                    try (var ignored = MDC.putCloseable("requestId", p.requestId.toString())) {
                        logger.warn("RLY-340 connection lost after COMMIT agent={} requestId={}: outcome unknown, not retried",
                                agentId, p.requestId);
                    }
                    p.onOutcome.accept(Outcome.of(ResultCode.OUTCOME_UNKNOWN,
                            "agent " + agentId + " was told to apply the request, then its connection closed before RESULT"));
                } else {
                    // No COMMIT reached the agent, and an agent applies nothing without one: safe to send elsewhere.
                    try (var ignored = MDC.putCloseable("requestId", p.requestId.toString())) {
                        logger.info("RLY-343 connection lost before COMMIT agent={} requestId={} accepted={}: nothing applied,"
                                + " trying another agent", agentId, p.requestId, p.accepted);
                    }
                    p.onMiss.accept(Miss.GONE);
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

    private Pending remove(RequestId id) {
        Pending p = pending.remove(id);
        inFlight = pending.size();
        if (p != null) {
            p.cancelDeadline();
        }
        return p;
    }

    private void expire(RequestId id) {
        Pending p = remove(id);
        if (p == null) {
            return;
        }
        try (var ignored = MDC.putCloseable("requestId", id.toString())) {
            logger.warn("RLY-341 deadline passed agent={} requestId={} accepted={} commit={}", agentId, id, p.accepted, p.commit);
        }
        p.onOutcome.accept(p.commit.mayHaveReachedAgent()
                ? Outcome.of(ResultCode.OUTCOME_UNKNOWN,
                        "agent " + agentId + " was told to apply the request but sent no result before the deadline")
                : Outcome.of(ResultCode.TIMEOUT,
                        "agent " + agentId + " did not accept the request before the deadline; nothing was applied"));
    }

    @Override
    public String toString() {
        return "AgentSession[agent=" + agentId + ", tenant=" + tenantId + ", session=" + sessionId + "]";
    }
}
