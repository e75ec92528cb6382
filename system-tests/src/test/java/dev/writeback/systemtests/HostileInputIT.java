package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.crypto.KeyPairs;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile agent connections against a live relay over TLS: fuzzed frames before and after authentication, the
 * classic bad frames one by one, and a flood of failed authentications from one address. Every bad connection
 * must end with an ERROR and a WebSocket close whose reason names the problem, and a healthy tenant's resets
 * must keep succeeding throughout.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class HostileInputIT {
    private static final int FUZZ_BEFORE_AUTH = 1_500;
    private static final int FUZZ_AFTER_AUTH = 600;
    private static final int WORKERS = 3;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Set<Class<?>> RELAY_TO_AGENT = Set.of(Message.Hello.class, Message.Ready.class,
            Message.Request.class, Message.Commit.class, Message.RotateKeys.class, Message.Goaway.class, Message.Auth.class,
            Message.HashSyncAck.class);

    @TempDir
    static Path dir;

    static HostileFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new HostileFixture(dir);
        fx.healthyResetSucceeds("before the attacks");
        fx.healthyPasswordBinds();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx == null) {
            return;
        }
        try {
            fx.healthyResetSucceeds("after the attacks");
            fx.healthyPasswordBinds();
            assertThat(fx.healthyAgent.link().connected()).isTrue();
            assertThat(count(fx.logs.text(), "RLY-200 agent connected agent=" + fx.healthyAgentId))
                    .as("the healthy agent kept its one connection through every attack").isEqualTo(1);
            String logs = fx.logs.text();
            for (String pw : fx.passwords) {
                assertThat(logs).as("no password in the logs").doesNotContain(pw);
            }
        } finally {
            fx.close();
        }
    }

    // ---- live fuzzing --------------------------------------------------------------------------------------

    @Test
    void fuzz_beforeAuthentication_everyFrameIsRefusedWithAReason() throws Exception {
        long seed = new SecureRandom().nextLong();
        fuzzInParallel("before authentication", seed, (worker, workerSeed) -> {
            var fuzz = new FrameFuzz(workerSeed, List.of(HostileFixture.auth(fx.fuzzAgentId, fx.fuzzAgentKey, new byte[32],
                    System.currentTimeMillis())));
            for (int i = 0; i < FUZZ_BEFORE_AUTH / WORKERS; i++) {
                byte[] frame = fuzz.next();
                String context = "seed " + seed + " worker " + worker + " iteration " + i + " frame " + FrameFuzz.describe(frame);
                try (WsProbe probe = fx.probe()) {
                    probe.expect(Message.Hello.class, WAIT);
                    probe.send(frame);
                    assertRefused(probe.awaitClosed(WAIT), expectedBeforeAuth(FrameFuzz.decode(frame)), context);
                } catch (Exception | AssertionError e) {
                    throw new AssertionError(context + ": " + e.getMessage(), e);
                }
            }
        });
    }

    @Test
    void fuzz_afterAuthentication_badFramesAreRefused_andAgentFramesKeepTheSession() throws Exception {
        long seed = new SecureRandom().nextLong();
        var kept = new AtomicInteger();
        var refused = new AtomicInteger();
        fuzzInParallel("after authentication", seed, (worker, workerSeed) -> {
            var fuzz = new FrameFuzz(workerSeed, List.of());
            WsProbe probe = null;
            try {
                for (int i = 0; i < FUZZ_AFTER_AUTH / WORKERS; i++) {
                    byte[] frame = fuzz.next();
                    String context = "seed " + seed + " worker " + worker + " iteration " + i + " frame " + FrameFuzz.describe(frame);
                    try {
                        if (probe == null) {
                            probe = fx.authenticatedFuzzAgent();
                        }
                        probe.send(frame);
                        Object decoded = FrameFuzz.decode(frame);
                        if (decoded instanceof Message m && !RELAY_TO_AGENT.contains(m.getClass())) {
                            assertThat(probe.pingPong(WAIT)).as("%s: a valid %s keeps the session", context, m.type()).isTrue();
                            kept.incrementAndGet();
                            continue;
                        }
                        ErrorCode expected = decoded instanceof ProtocolException p ? p.code() : ErrorCode.UNEXPECTED_FRAME;
                        assertRefused(probe.awaitClosed(WAIT), Set.of(expected), context);
                        refused.incrementAndGet();
                        probe.close();
                        probe = null;
                    } catch (Exception | AssertionError e) {
                        throw new AssertionError(context + ": " + e.getMessage(), e);
                    }
                }
            } finally {
                if (probe != null) {
                    probe.close();
                }
            }
        });
        assertThat(kept.get()).as("seed %d: some mutations stay valid agent frames", seed).isPositive();
        assertThat(refused.get()).as("seed %d: most mutations are refused", seed).isGreaterThan(FUZZ_AFTER_AUTH / 2);
    }

    /** One fuzzing session for each of {@link #WORKERS} seeds derived from {@code seed}, while the healthy tenant resets. */
    private static void fuzzInParallel(String phase, long seed, FuzzWorker worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            var done = new ArrayList<Future<?>>();
            for (int w = 0; w < WORKERS; w++) {
                int index = w;
                done.add(pool.submit(() -> {
                    worker.run(index, seed + index);
                    return null;
                }));
            }
            int during = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!done.stream().allMatch(Future::isDone) && System.nanoTime() < deadline) {
                fx.healthyResetSucceeds("while fuzzing " + phase + " (seed " + seed + ")");
                during++;
            }
            for (Future<?> f : done) {
                try {
                    f.get(1, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError("fuzzing " + phase + " with seed " + seed + " failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
            assertThat(during).as("healthy resets interleaved with the fuzzing").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface FuzzWorker {
        void run(int worker, long seed) throws Exception;
    }

    // ---- the classic bad frames ----------------------------------------------------------------------------

    @Test
    void oversizedFrame_isRefusedWithFrameTooLarge_beforeAndAfterAuthentication() throws Exception {
        byte[] big = new byte[ProtocolVersion.MAX_FRAME_BYTES + 4_464];
        big[0] = 1;
        big[1] = 7;
        try (WsProbe probe = fx.probe()) {
            probe.expect(Message.Hello.class, WAIT);
            probe.send(big);
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.FRAME_TOO_LARGE, 1009, "65536");
        }
        try (WsProbe probe = fx.authenticatedFuzzAgent()) {
            probe.send(big);
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.FRAME_TOO_LARGE, 1009, "65536");
        }
    }

    @Test
    void wrongProtocolVersion_isRefusedWithUnsupportedVersion() throws Exception {
        byte[] frame = FrameFuzz.encode(new Message.Heartbeat("0.1.0", 1, 1, 0, 0, 0, 0, List.of()));
        frame[0] = 2;
        try (WsProbe probe = fx.authenticatedFuzzAgent()) {
            probe.send(frame);
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.UNSUPPORTED_VERSION, 1002, "version: 2 (expected: 1)");
        }
    }

    @Test
    void unknownFrameType_isRefusedWithUnknownFrameType() throws Exception {
        byte[] frame = new byte[ProtocolVersion.HEADER_BYTES];
        frame[0] = 1;
        frame[1] = 99;
        try (WsProbe probe = fx.probe()) {
            probe.expect(Message.Hello.class, WAIT);
            probe.send(frame);
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.UNKNOWN_FRAME_TYPE, 1002, "99");
        }
    }

    @Test
    void textFrame_isRefusedWithMalformedFrame_andClose1003() throws Exception {
        try (WsProbe probe = fx.authenticatedFuzzAgent()) {
            probe.sendText("{\"type\":\"AUTH\"}");
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.MALFORMED_FRAME, 1003, "text frame");
        }
    }

    @Test
    void frameBeforeAuthentication_isRefusedWithUnexpectedFrame() throws Exception {
        try (WsProbe probe = fx.probe()) {
            probe.expect(Message.Hello.class, WAIT);
            probe.send(new Message.Heartbeat("0.1.0", 1, 1, 0, 0, 0, 0, List.of()));
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.UNEXPECTED_FRAME, 1002, "HEARTBEAT before authentication");
        }
    }

    @Test
    void authWithBadSignature_isRefused() throws Exception {
        var forged = KeyPairs.newIdentityKeyPair(new SecureRandom()).getPrivate();
        try (WsProbe probe = fx.probe()) {
            var hello = probe.expect(Message.Hello.class, WAIT);
            probe.send(HostileFixture.auth(fx.fuzzAgentId, forged, hello.nonce(), System.currentTimeMillis()));
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.AUTHENTICATION_FAILED, 1008, "signature does not verify");
        }
    }

    @Test
    void replayedAuth_onANewConnection_isRefused_becauseTheNonceIsFresh() throws Exception {
        Message.Auth recorded;
        try (WsProbe first = fx.probe()) {
            var hello = first.expect(Message.Hello.class, WAIT);
            recorded = HostileFixture.auth(fx.fuzzAgentId, fx.fuzzAgentKey, hello.nonce(), System.currentTimeMillis());
            first.send(recorded);
            first.expect(Message.Ready.class, WAIT);   // the recorded AUTH was good on its own connection
        }
        try (WsProbe replay = fx.probe()) {
            var hello = replay.expect(Message.Hello.class, WAIT);
            assertThat(hello.nonce()).isNotEqualTo(recorded.signature());
            replay.send(recorded);
            assertRefused(replay.awaitClosed(WAIT), ErrorCode.AUTHENTICATION_FAILED, 1008, "signature does not verify");
        }
    }

    @Test
    void authWithOldTimestamp_isRefused() throws Exception {
        long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        try (WsProbe probe = fx.probe()) {
            var hello = probe.expect(Message.Hello.class, WAIT);
            probe.send(HostileFixture.auth(fx.fuzzAgentId, fx.fuzzAgentKey, hello.nonce(), tenMinutesAgo));
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.AUTHENTICATION_FAILED, 1008, "timestamp off by");
        }
    }

    @Test
    void authWithUnknownAgentId_isRefused() throws Exception {
        try (WsProbe probe = fx.probe()) {
            var hello = probe.expect(Message.Hello.class, WAIT);
            probe.send(HostileFixture.auth("agent-that-never-registered", fx.fuzzAgentKey, hello.nonce(), System.currentTimeMillis()));
            assertRefused(probe.awaitClosed(WAIT), ErrorCode.UNKNOWN_AGENT, 1008, "is not registered");
        }
    }

    // ---- a flood of failed authentications -----------------------------------------------------------------

    @Test
    void failedAuthFlood_fromOneAddress_isRateLimited_loggedOnce_andOtherAddressesAreServed() throws Exception {
        String flooder = fx.freshSource();
        int burst = dev.writeback.relay.agent.AgentSessionHandler.AUTH_FAILURE_BURST;
        for (int i = 0; i < burst; i++) {
            try (WsProbe probe = fx.probe(flooder)) {
                var hello = probe.expect(Message.Hello.class, WAIT);
                probe.send(HostileFixture.auth("agent-guess-" + i, fx.fuzzAgentKey, hello.nonce(), System.currentTimeMillis()));
                assertRefused(probe.awaitClosed(WAIT), ErrorCode.UNKNOWN_AGENT, 1008, "is not registered");
            }
        }
        fx.healthyResetSucceeds("during the authentication flood");
        for (int i = 0; i < 5; i++) {
            try (WsProbe probe = fx.probe(flooder)) {   // still a HELLO (a real agent may share the address); failures: RATE_LIMITED
                var hello = probe.expect(Message.Hello.class, WAIT);
                probe.send(HostileFixture.auth("agent-guess-x" + i, fx.fuzzAgentKey, hello.nonce(), System.currentTimeMillis()));
                assertRefused(probe.awaitClosed(WAIT), ErrorCode.RATE_LIMITED, 1008, "too many failed authentications");
            }
        }
        assertThat(count(fx.logs.text(), "RLY-235 agent authentication failures from " + flooder + " ")).isEqualTo(1);
        try (WsProbe other = fx.probe()) {
            other.expect(Message.Hello.class, WAIT);
        }
        fx.healthyResetSucceeds("after the authentication flood");
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static Set<ErrorCode> expectedBeforeAuth(Object decoded) {
        if (decoded instanceof ProtocolException p) {
            return Set.of(p.code());
        }
        if (decoded instanceof Message.Auth) {
            return Set.of(ErrorCode.UNKNOWN_AGENT, ErrorCode.AUTHENTICATION_FAILED);
        }
        return Set.of(ErrorCode.UNEXPECTED_FRAME);
    }

    private static void assertRefused(WsProbe.Closed closed, Set<ErrorCode> codes, String context) {
        assertErrorAndReason(closed, codes, context);
        assertThat(closed.status()).as("%s: close status (%s)", context, closed).isEqualTo(closeStatus(closed.error().code()));
    }

    private static void assertErrorAndReason(WsProbe.Closed closed, Set<ErrorCode> codes, String context) {
        assertThat(closed.error()).as("%s: an ERROR frame before the close (%s)", context, closed).isNotNull();
        assertThat(closed.error().code()).as("%s: %s", context, closed).isIn(codes);
        assertThat(closed.reason()).as("%s: close reason", context).startsWith(closed.error().code().name() + ": ");
        assertThat(closed.reason().length()).as("%s: close reason says more than the code", context)
                .isGreaterThan(closed.error().code().name().length() + 5);
    }

    private static void assertRefused(WsProbe.Closed closed, ErrorCode code, int status, String reasonPart) {
        assertErrorAndReason(closed, Set.of(code), code.name());
        assertThat(closed.status()).as("close status (%s)", closed).isEqualTo(status);
        assertThat(closed.error().message()).contains(reasonPart);
        assertThat(closed.reason()).contains(reasonPart.substring(0, Math.min(reasonPart.length(), 20)));
    }

    private static int closeStatus(ErrorCode code) {
        return switch (code) {
            case AUTHENTICATION_FAILED, UNKNOWN_AGENT -> 1008;
            case FRAME_TOO_LARGE -> 1009;
            default -> 1002;
        };
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }
}
