package dev.writeback.relay.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.FakeScheduler;
import dev.writeback.protocol.time.Scheduler;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.internal.ThreadExecutorMap;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The router in milliseconds: fake endpoints, a queued blocking pool and a fake scheduler. */
class RouterTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final PublicKey RSA = KeyPairs.newEncryptionKeyPair(RANDOM).getPublic();
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final FakeClock clock = new FakeClock();
    private final Queue<Runnable> blocking = new ArrayDeque<>();
    private final FakeScheduler timers = new FakeScheduler(clock);
    private final FakeEndpoints endpoints = new FakeEndpoints();
    private final List<SealingKey> sealedFor = new ArrayList<>();
    private boolean blockingFull;
    private final Router router = new Router(endpoints, task -> {
        if (blockingFull) {
            throw new RejectedExecutionException("full");
        }
        blocking.add(task);
    }, timers, clock, GRACE);

    private RequestInfo info() {
        return new RequestInfo("tenant-1", RequestId.random(), Operation.RESET, "sam:ada", clock.instant().plusSeconds(15));
    }

    private final RequestSealer sealer = key -> {
        sealedFor.add(key);
        return new SealedRequest(key.agentId(), key.version(), ("for " + key.agentId()).getBytes());
    };

    private void runBlocking() {
        while (!blocking.isEmpty()) {
            blocking.poll().run();
        }
    }

    @Test
    void sealsForTheChosenAgent_andEndsWithItsResult() {
        var a = endpoints.add("agent-a");

        var routed = router.route(info(), sealer);

        assertThat(sealedFor).extracting(SealingKey::agentId).containsExactly("agent-a");
        assertThat(a.flights).singleElement().satisfies(f -> assertThat(new String(f.sealed().sealed())).isEqualTo("for agent-a"));
        assertThat(router.active()).isEqualTo(1);
        a.last().written();
        a.last().accepted();
        a.last().commitSending();
        a.last().commitWritten(true);
        a.last().result(Outcome.of(ResultCode.SUCCESS, "set"));

        assertThat(routed).isCompletedWithValueMatching(r -> r.agentId().equals("agent-a")
                && r.outcome().code() == ResultCode.SUCCESS && !r.retrySafe());
        assertThat(router.active()).isZero();
    }

    @Test
    void aMiss_isResealedForTheNextAgent_onTheBlockingPool() {
        var a = endpoints.add("agent-a");
        var b = endpoints.add("agent-b");
        var routed = router.route(info(), sealer);
        a.last().written();
        a.last().accepted();

        a.last().connectionLost();   // before COMMIT: nothing applied

        assertThat(b.flights).as("not on the endpoint's thread").isEmpty();
        runBlocking();
        assertThat(sealedFor).extracting(SealingKey::agentId).containsExactly("agent-a", "agent-b");
        assertThat(new String(b.last().sealed().sealed())).isEqualTo("for agent-b");
        b.last().result(Outcome.of(ResultCode.SUCCESS, "set"));
        assertThat(routed).isCompletedWithValueMatching(r -> r.agentId().equals("agent-b"));
    }

    @Test
    void aLossAfterCommit_isNeverSentAgain() {
        var a = endpoints.add("agent-a");
        var b = endpoints.add("agent-b");
        var routed = router.route(info(), sealer);
        a.last().accepted();
        a.last().commitSending();

        a.last().connectionLost();
        runBlocking();

        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.OUTCOME_UNKNOWN
                && !r.retrySafe() && r.agentId().equals("agent-a"));
        assertThat(b.flights).isEmpty();
        assertThat(sealedFor).hasSize(1);
    }

    @Test
    void everyAgentBusy_waitsTheGrace_thenAnswersBusy() {
        var a = endpoints.add("agent-a");
        var routed = router.route(info(), sealer);
        a.last().notTaken(InFlight.Miss.BUSY);
        runBlocking();
        assertThat(routed).as("waits for another agent").isNotDone();

        timers.advance(GRACE);
        runBlocking();

        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.BUSY && r.retrySafe()
                && r.agentId().isEmpty());
    }

    @Test
    void noAgent_waitsForOneToConnect() {
        var routed = router.route(info(), sealer);
        assertThat(routed).isNotDone();

        var a = endpoints.add("agent-a");
        runBlocking();

        assertThat(a.flights).hasSize(1);
        a.last().result(Outcome.of(ResultCode.USER_NOT_FOUND, "no such user"));
        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.USER_NOT_FOUND);
    }

    @Test
    void noAgentAfterTheGrace_isAgentOffline() {
        var routed = router.route(info(), sealer);
        timers.advance(GRACE);
        runBlocking();

        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.AGENT_OFFLINE && r.retrySafe());
        assertThat(sealedFor).isEmpty();
    }

    @Test
    void sealingFailure_endsRetrySafe_withoutDelivery() {
        var a = endpoints.add("agent-a");
        var routed = router.route(info(), key -> {
            throw new IllegalStateException("key wiped");
        });

        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.INTERNAL_ERROR && r.retrySafe()
                && r.outcome().adminDiagnostic().contains("key wiped"));
        assertThat(a.flights).isEmpty();
    }

    @Test
    void aFullBlockingPool_afterAMiss_isBusy_notSealedOnTheEndpointsThread() {
        var a = endpoints.add("agent-a");
        endpoints.add("agent-b");
        var routed = router.route(info(), sealer);
        blockingFull = true;

        a.last().connectionLost();

        assertThat(routed).isCompletedWithValueMatching(r -> r.outcome().code() == ResultCode.BUSY && r.retrySafe());
        assertThat(sealedFor).hasSize(1);
    }

    @Test
    void sealing_neverRunsOnAnEventLoop_evenForARetryAfterAMissOnOne() throws Exception {
        var loop = new DefaultEventLoop();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        var threads = new CopyOnWriteArrayList<Object>();
        try {
            var onLoop = new FakeEndpoints();
            onLoop.loop = loop;
            onLoop.add("agent-a").missFirst = true;
            onLoop.add("agent-b");
            var real = new Router(onLoop, pool, Scheduler.of(loop), clock, GRACE);

            var routed = CompletableFuture.supplyAsync(() -> real.route(info(), key -> {
                threads.add(ThreadExecutorMap.currentExecutor() == null ? "off-loop" : "on-loop");
                return sealer.seal(key);
            }), pool).get(10, TimeUnit.SECONDS);

            assertThat(routed.get(10, TimeUnit.SECONDS).agentId()).isEqualTo("agent-b");
            assertThat(threads).containsExactly("off-loop", "off-loop");
        } finally {
            pool.shutdownNow();
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        }
    }

    /** Endpoints in the order added; the first not excluded is picked. */
    private static final class FakeEndpoints implements Endpoints {
        final List<FakeEndpoint> all = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> waiting = new CopyOnWriteArrayList<>();
        DefaultEventLoop loop;

        FakeEndpoint add(String agentId) {
            var e = new FakeEndpoint(agentId, loop);
            all.add(e);
            waiting.forEach(f -> f.complete(null));
            waiting.clear();
            return e;
        }

        @Override
        public Optional<FakeEndpoint> pick(String tenantId, Set<String> excludedSessions) {
            return all.stream().filter(e -> !excludedSessions.contains(e.sessionId())).findFirst();
        }

        @Override
        public CompletableFuture<Void> nextReady(String tenantId) {
            var f = new CompletableFuture<Void>();
            waiting.add(f);
            return f;
        }
    }

    private static final class FakeEndpoint implements AgentEndpoint {
        final String agentId;
        final DefaultEventLoop loop;
        final PackageKey key = PackageKey.generate(1, RANDOM);
        final List<InFlight> flights = new CopyOnWriteArrayList<>();
        boolean missFirst;

        FakeEndpoint(String agentId, DefaultEventLoop loop) {
            this.agentId = agentId;
            this.loop = loop;
        }

        InFlight last() {
            return flights.get(flights.size() - 1);
        }

        @Override
        public String agentId() {
            return agentId;
        }

        @Override
        public String sessionId() {
            return "session-of-" + agentId;
        }

        @Override
        public SealingKey sealingKey() {
            return new SealingKey("tenant-1", agentId, key, RSA);
        }

        @Override
        public void deliver(InFlight flight) {
            flights.add(flight);
            if (loop == null) {
                return;   // the test drives the flight
            }
            loop.execute(() -> {
                if (missFirst) {
                    flight.connectionLost();
                } else {
                    flight.result(Outcome.of(ResultCode.SUCCESS, "set"));
                }
            });
        }
    }
}
