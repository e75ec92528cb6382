package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.protocol.time.Scheduler;
import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.agent.LiveAgent;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.RequestInfo;
import dev.writeback.relay.routing.Router;
import dev.writeback.relay.routing.SealedRequest;
import dev.writeback.relay.routing.SealingKey;
import io.netty.util.internal.ThreadExecutorMap;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live relay as the API sees it. The plaintext request stops here: {@link #submit} hands {@link Router} a
 * sealer that seals it for whichever agent routing chooses, on the calling (blocking) thread or the blocking
 * pool, and routing carries only what that returns.
 */
public final class RelayGateway implements AgentGateway {
    private static final Logger logger = LoggerFactory.getLogger(RelayGateway.class);

    /** How long past a request's deadline the gateway still waits for routing before it calls the outcome unknown. */
    static final Duration SLACK = Duration.ofSeconds(5);

    private final Router router;
    private final AgentSessions sessions;
    private final KeyRotation rotation;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration heartbeatOverdue;
    private final Scheduler scheduler;
    private volatile String nodeId = "";
    private volatile java.util.function.Function<String, List<LiveAgent>> elsewhere = tenantId -> List.of();

    /** {@code scheduler} ends the wait for routing past a request's deadline plus {@link #SLACK}. */
    public RelayGateway(Router router, AgentSessions sessions, KeyRotation rotation, Clock clock, SecureRandom random,
                        Duration heartbeatOverdue, Scheduler scheduler) {
        this.router = requireNonNull(router, "router");
        this.sessions = requireNonNull(sessions, "sessions");
        this.rotation = requireNonNull(rotation, "rotation");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.heartbeatOverdue = requireNonNull(heartbeatOverdue, "heartbeatOverdue");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    @Override
    public CompletableFuture<Delivery> submit(String tenantId, RequestId requestId, PasswordRequest request) {
        var info = new RequestInfo(tenantId, requestId, request.operation(), request.anchor().toString(), request.expiresAt());
        long waitMillis = Math.max(0, Duration.between(clock.instant(), request.expiresAt()).plus(SLACK).toMillis());
        var silent = InFlight.routingSilent(SLACK.toSeconds());
        var routed = router.route(info, key -> seal(request, requestId, key));
        var answer = new CompletableFuture<Delivery>();
        var timer = scheduler.schedule(() -> answer.complete(new Delivery(requestId, "", silent.outcome(), silent.retrySafe())),
                Duration.ofMillis(waitMillis));
        routed.whenComplete((r, failure) -> {
            timer.cancel();
            if (r != null) {
                answer.complete(new Delivery(requestId, r.agentId(), r.outcome(), r.retrySafe()));
            } else {
                answer.completeExceptionally(failure);
            }
        });
        return answer;
    }

    private SealedRequest seal(PasswordRequest request, RequestId requestId, SealingKey key) {
        if (ThreadExecutorMap.currentExecutor() != null) {
            // Event loops serve every tenant's connections: a plaintext request is never opened or sealed on one.
            logger.error("RLY-531 refused to seal requestId={} on event-loop thread {}", requestId, Thread.currentThread().getName());
            throw new IllegalStateException("sealing on an event-loop thread");
        }
        return new SealedRequest(key.agentId(), key.version(),
                Sealing.sealRequest(request, key.key(), key.rsa(), key.requestContext(requestId), random));
    }

    private volatile java.util.function.BooleanSupplier clusterConnected = () -> true;

    /** In a cluster: whether this node's link to the other nodes (NATS) is up, for readiness. */
    public void seeClusterLink(java.util.function.BooleanSupplier connected) {
        this.clusterConnected = requireNonNull(connected, "connected");
    }

    @Override
    public String notReadyBecause() {
        return clusterConnected.getAsBoolean() ? null
                : "cluster: NATS not connected (expected: a connection to cluster.nats.urls; operations for agents on other"
                        + " nodes cannot be forwarded)";
    }

    /** In a cluster: this node's id, and the sessions other nodes hold of a tenant's agents. */
    public void seeOtherNodes(String nodeId, java.util.function.Function<String, List<LiveAgent>> elsewhere) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.elsewhere = requireNonNull(elsewhere, "elsewhere");
    }

    @Override
    public List<LiveAgent> live(String tenantId) {
        String node = nodeId;
        var all = new java.util.ArrayList<LiveAgent>();
        sessions.of(tenantId).forEach(s -> all.add(s.live(heartbeatOverdue).on(node)));
        all.addAll(elsewhere.apply(tenantId));
        return List.copyOf(all);
    }

    @Override
    public boolean rotateKeys(String agentId) {
        return rotation.rotate(agentId);
    }

    @Override
    public void disconnect(String agentId, String reason) {
        for (AgentSession s : sessions.ofAgent(agentId)) {
            logger.info("RLY-250 closing sessions of agent={}: {}", agentId, reason);
            s.close(reason);
        }
    }
}
