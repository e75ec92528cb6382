package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses an agent for each request, has it sealed for that agent, and follows it to its end. Routing holds only
 * sealed bytes: the caller's {@link RequestSealer} seals, on the blocking pool, for each agent tried. What each
 * event means is {@link InFlight}'s to decide; a {@link InFlight.Missed} request (nothing applied) moves to
 * another agent, or waits up to {@code requests.agentWait} for one to connect.
 */
public final class Router {
    private static final Logger logger = LoggerFactory.getLogger(Router.class);

    private final Endpoints endpoints;
    private final Executor blocking;
    private final Scheduler timers;
    private final Clock clock;
    private final Duration agentWait;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * A router over {@code endpoints}; sealing and every step after a miss run on {@code blocking}, and
     * {@code timers} only ends the wait for an agent to connect.
     */
    public Router(Endpoints endpoints, Executor blocking, Scheduler timers, Clock clock, Duration agentWait) {
        this.endpoints = requireNonNull(endpoints, "endpoints");
        this.blocking = requireNonNull(blocking, "blocking");
        this.timers = requireNonNull(timers, "timers");
        this.clock = requireNonNull(clock, "clock");
        this.agentWait = requireNonNull(agentWait, "agentWait");
    }

    /**
     * Routes one request of {@code info.tenantId()}; call it on the blocking pool (it seals for the first agent on
     * the calling thread). Never completes exceptionally.
     */
    public CompletableFuture<Routed> route(RequestInfo info, RequestSealer sealer) {
        requireNonNull(info, "info");
        requireNonNull(sealer, "sealer");
        var attempt = new Attempt(info, sealer);
        active.incrementAndGet();
        attempt.result.whenComplete((d, e) -> active.decrementAndGet());
        attempt.next();
        return attempt.result;
    }

    /** Requests routed and not yet finished (shutdown waits for them). */
    public int active() {
        return active.get();
    }

    /** One request's way through the agents of its tenant. */
    private final class Attempt {
        final RequestInfo info;
        final RequestSealer sealer;
        final Instant waitForAgentsUntil;
        final Set<String> tried = new HashSet<>();
        final CompletableFuture<Routed> result = new CompletableFuture<>();
        volatile boolean sawBusy;   // set by endpoints, read by next()

        Attempt(RequestInfo info, RequestSealer sealer) {
            this.info = info;
            this.sealer = sealer;
            Instant waitEnds = clock.instant().plus(agentWait);
            this.waitForAgentsUntil = waitEnds.isBefore(info.expiresAt()) ? waitEnds : info.expiresAt();
        }

        synchronized void next() {
            if (result.isDone()) {
                return;
            }
            try {
                route();
            } catch (RuntimeException e) {   // e.g. the relay is stopping and its executors refuse work
                logger.warn("RLY-351 request {} could not be routed: {}", info.requestId(), e.toString());
                finish("", InFlight.routingFailed(e));
            }
        }

        private void route() {
            var endpoint = endpoints.pick(info.tenantId(), tried);
            if (endpoint.isPresent()) {
                send(endpoint.get());
                return;
            }
            long waitMillis = Duration.between(clock.instant(), waitForAgentsUntil).toMillis();
            if (waitMillis <= 0) {
                finish("", InFlight.noAgent(sawBusy));
                return;
            }
            var ready = endpoints.nextReady(info.tenantId());
            var timer = timers.schedule(() -> ready.complete(null), Duration.ofMillis(waitMillis));
            ready.whenComplete((v, e) -> {
                timer.cancel();
                later();
            });
            if (endpoints.pick(info.tenantId(), tried).isPresent()) {
                ready.complete(null);   // an endpoint became ready between the pick and the registration
            }
        }

        private void send(AgentEndpoint endpoint) {
            tried.add(endpoint.sessionId());
            SealedRequest sealed;
            try {
                sealed = sealer.seal(endpoint.sealingKey());
            } catch (RuntimeException e) {
                logger.warn("RLY-530 sealing failed agent={} requestId={}: {}", endpoint.agentId(), info.requestId(),
                        e.getMessage());
                finish(endpoint.agentId(), InFlight.sealingFailed(e));
                return;
            }
            endpoint.deliver(new InFlight(info, sealed, end -> {
                if (end instanceof InFlight.Finished finished) {
                    finish(endpoint.agentId(), finished);
                } else if (end instanceof InFlight.Missed missed) {
                    sawBusy |= missed.why() == InFlight.Miss.BUSY;
                    logger.debug("request {} not delivered to agent {} ({}), trying another", info.requestId(),
                            endpoint.agentId(), missed.why());
                    later();
                }
            }));
        }

        /** Runs {@link #next()} on the blocking pool: it may seal, which never happens on an event loop. */
        void later() {
            try {
                blocking.execute(this::next);
            } catch (RejectedExecutionException e) {
                finish("", InFlight.relayBusy());
            }
        }

        void finish(String agentId, InFlight.Finished finished) {
            result.complete(new Routed(agentId, finished.outcome(), finished.retrySafe()));
        }
    }
}
