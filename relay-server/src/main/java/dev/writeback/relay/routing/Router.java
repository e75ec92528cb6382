package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.agent.Pending.Miss;
import dev.writeback.relay.api.AgentGateway;
import dev.writeback.relay.api.Delivery;
import dev.writeback.relay.agent.LiveAgent;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses an agent for each operation and follows it to its end. An agent applies a request only after the
 * relay's COMMIT (docs/protocol.md), so a request whose COMMIT never went out (its session was closed, draining
 * or full, the agent answered BUSY, or the connection was lost before COMMIT) cannot have been applied: it moves
 * to another agent, or waits up to the offline grace for one to reconnect. A request whose COMMIT went out is
 * never sent twice — if that agent is lost before RESULT the outcome is OUTCOME_UNKNOWN.
 */
public final class Router implements AgentGateway {
    private static final Logger logger = LoggerFactory.getLogger(Router.class);

    private final AgentSessions sessions;
    private final KeyRotation rotation;
    private final EventExecutorGroup timers;
    private final Clock clock;
    private final Duration offlineGrace;
    private final Duration heartbeatOverdue;
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

    /** A router over the relay's live sessions. */
    public Router(AgentSessions sessions, KeyRotation rotation, EventExecutorGroup timers, Clock clock, Duration offlineGrace,
                  Duration heartbeatOverdue) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.rotation = requireNonNull(rotation, "rotation");
        this.timers = requireNonNull(timers, "timers");
        this.clock = requireNonNull(clock, "clock");
        this.offlineGrace = requireNonNull(offlineGrace, "offlineGrace");
        this.heartbeatOverdue = requireNonNull(heartbeatOverdue, "heartbeatOverdue");
    }

    @Override
    public CompletableFuture<Delivery> submit(String tenantId, RequestId requestId, PasswordRequest request) {
        var attempt = new Attempt(tenantId, requestId, request, clock.instant().plus(offlineGrace));
        active.incrementAndGet();
        attempt.result.whenComplete((d, e) -> active.decrementAndGet());
        attempt.next();
        return attempt.result;
    }

    /** Operations submitted and not yet finished (shutdown waits for them). */
    public int active() {
        return active.get();
    }

    @Override
    public List<LiveAgent> live(String tenantId) {
        return sessions.of(tenantId).stream().map(s -> s.live(heartbeatOverdue)).toList();
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

    /** One operation's way through the agents of its tenant. */
    private final class Attempt {
        final String tenantId;
        final RequestId requestId;
        final PasswordRequest request;
        final Instant waitForAgentsUntil;
        final Set<String> tried = new HashSet<>();
        final CompletableFuture<Delivery> result = new CompletableFuture<>();
        boolean sawBusy;

        Attempt(String tenantId, RequestId requestId, PasswordRequest request, Instant waitForAgentsUntil) {
            this.tenantId = tenantId;
            this.requestId = requestId;
            this.request = request;
            this.waitForAgentsUntil = waitForAgentsUntil.isBefore(request.expiresAt()) ? waitForAgentsUntil : request.expiresAt();
        }

        synchronized void next() {
            if (result.isDone()) {
                return;
            }
            try {
                route();
            } catch (RuntimeException e) {   // e.g. the relay is stopping and its executors refuse work
                logger.warn("RLY-351 request {} could not be routed: {}", requestId, e.toString());
                finish("", tried.isEmpty()
                        ? Outcome.of(ResultCode.AGENT_OFFLINE, "routing failed: " + e.getClass().getSimpleName())
                        : Outcome.of(ResultCode.OUTCOME_UNKNOWN,
                                "routing failed after a delivery attempt: " + e.getClass().getSimpleName()));
            }
        }

        private void route() {
            var session = sessions.pick(tenantId, tried);
            if (session.isPresent()) {
                send(session.get());
                return;
            }
            long waitMillis = Duration.between(clock.instant(), waitForAgentsUntil).toMillis();
            if (waitMillis <= 0) {
                finish("", sawBusy
                        ? Outcome.of(ResultCode.BUSY, "every agent of the tenant is at its in-flight limit")
                        : Outcome.of(ResultCode.AGENT_OFFLINE, "no agent of the tenant is connected"));
                return;
            }
            var ready = sessions.nextReady(tenantId);
            var timer = timers.schedule(() -> ready.complete(null), waitMillis, TimeUnit.MILLISECONDS);
            ready.whenComplete((v, e) -> {
                timer.cancel(false);
                later();
            });
            if (sessions.pick(tenantId, tried).isPresent()) {
                ready.complete(null);   // a session became ready between the pick and the registration
            }
        }

        void send(AgentSession session) {
            tried.add(session.sessionId());
            var once = new AtomicBoolean();
            session.deliver(requestId, request, outcome -> {
                if (once.compareAndSet(false, true)) {
                    finish(session.agentId(), outcome);
                }
            }, miss -> {
                if (once.compareAndSet(false, true)) {
                    sawBusy |= miss == Miss.BUSY;
                    logger.debug("request {} not delivered to agent {} ({}), trying another", requestId, session.agentId(), miss);
                    later();
                }
            });
        }

        /** Runs {@link #next()} on a timer thread, or at once when the timers refuse work. */
        void later() {
            try {
                timers.execute(this::next);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                next();
            }
        }

        void finish(String agentId, Outcome outcome) {
            result.complete(new Delivery(requestId, agentId, outcome));
        }
    }
}
