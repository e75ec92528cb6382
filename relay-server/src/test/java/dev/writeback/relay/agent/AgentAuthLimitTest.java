package dev.writeback.relay.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.Signatures;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.LogCapture;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed agent authentications are limited per source address: once a source has used up its failures, they are
 * answered RATE_LIMITED; a valid AUTH from the same source is still accepted.
 */
class AgentAuthLimitTest {
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final AtomicInteger lookups = new AtomicInteger();
    private final LogCapture logs = new LogCapture();
    private Store store;
    private SessionContext context;
    private FailureLimiter limiter;

    @BeforeEach
    void start() throws Exception {
        store = Store.openSqlite(dir, MasterKey.loadOrCreate(dir, Map.of()), clock);
        Executor counting = task -> {
            lookups.incrementAndGet();
            task.run();
        };
        context = new SessionContext(RelayConfig.defaults(dir), store, new AgentSessions(), clock, new SecureRandom(),
                counting, "relay.test");
        limiter = new FailureLimiter(clock, AgentSessionHandler.AUTH_FAILURE_BURST, AgentSessionHandler.AUTH_FAILURE_WINDOW);
        logs.start();
    }

    @AfterEach
    void stop() {
        logs.close();
        store.close();
    }

    @Test
    void failedAuth_isRefusedWithUnknownAgent_untilTheBurstIsUsedUp() {
        for (int i = 0; i < AgentSessionHandler.AUTH_FAILURE_BURST; i++) {
            EmbeddedChannel ch = connect();
            assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Hello.class);
            ch.writeInbound(auth("agent-nobody-" + i));
            ch.runPendingTasks();

            assertRefused(ch, ErrorCode.UNKNOWN_AGENT, "is not registered");
        }
        assertThat(lookups).hasValue(AgentSessionHandler.AUTH_FAILURE_BURST);
        assertThat(logs.text()).contains("RLY-235");
        assertThat(context.sessions().refusedLogins(ErrorCode.UNKNOWN_AGENT)).isEqualTo(AgentSessionHandler.AUTH_FAILURE_BURST);
        assertThat(context.sessions().refusedLogins(ErrorCode.RATE_LIMITED)).isZero();
    }

    @Test
    void limitedSource_stillGetsHello_andItsFailuresAreAnsweredRateLimited_loggedOnce() {
        useUpBurst();
        logs.clear();

        for (int i = 0; i < 3; i++) {
            EmbeddedChannel ch = connect();
            assertThat(ch.<Object>readOutbound()).as("no refusal before AUTH: it may be a real agent").isInstanceOf(Message.Hello.class);
            ch.writeInbound(auth("agent-nobody"));
            ch.runPendingTasks();
            assertRefused(ch, ErrorCode.RATE_LIMITED, "too many failed authentications");
        }

        assertThat(logs.text()).doesNotContain("RLY-235").doesNotContain("RLY-230");
        assertThat(context.sessions().refusedLogins(ErrorCode.RATE_LIMITED)).isEqualTo(3);
    }

    @Test
    void realAgent_isAccepted_whileItsSourceIsOutOfFailedAttempts() throws Exception {
        // the attack: failed AUTHs from the agent's own address (a relay restart, a neighbour behind the same NAT)
        var identity = KeyPairs.newIdentityKeyPair(new SecureRandom());
        var agent = registeredAgent(identity);
        useUpBurst();
        for (int i = 0; i < 7; i++) {
            assertFailsWith(ErrorCode.RATE_LIMITED, "too many failed authentications");
        }

        EmbeddedChannel ch = connect();
        ch.writeInbound(signedAuth(ch, agent.id(), identity));
        ch.runPendingTasks();

        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Ready.class);
        assertThat(ch.isActive()).isTrue();
        long refused = java.util.Arrays.stream(ErrorCode.values()).mapToLong(context.sessions()::refusedLogins).sum();
        assertThat(refused).as("the accepted agent is not counted as refused")
                .isEqualTo(AgentSessionHandler.AUTH_FAILURE_BURST + 7);
        ch.finishAndReleaseAll();
    }

    @Test
    void aSecondAuth_afterAuthentication_isRefusedSayingSo() throws Exception {
        var identity = KeyPairs.newIdentityKeyPair(new SecureRandom());
        var agent = registeredAgent(identity);
        EmbeddedChannel ch = connect();
        var auth = signedAuth(ch, agent.id(), identity);
        ch.writeInbound(auth);
        ch.runPendingTasks();
        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Ready.class);

        ch.writeInbound(auth);

        assertThat(ch.<Object>readOutbound()).isInstanceOfSatisfying(Message.ErrorMessage.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_FRAME);
            assertThat(e.message()).isEqualTo("AUTH after authentication (expected: one AUTH per connection)");
        });
        ch.finishAndReleaseAll();
    }

    @Test
    void limitedSource_getsOneAttemptBack_afterOneTokenOfTime_andAllAfterTheWindow() {
        useUpBurst();
        Duration oneToken = AgentSessionHandler.AUTH_FAILURE_WINDOW.dividedBy(AgentSessionHandler.AUTH_FAILURE_BURST);

        clock.advance(oneToken.minusMillis(1));
        assertThat(limiter.retryAfter("embedded")).isEqualTo(Duration.ofMillis(1));

        clock.advance(Duration.ofMillis(1));
        assertFailsWith(ErrorCode.UNKNOWN_AGENT, "is not registered");
        assertFailsWith(ErrorCode.RATE_LIMITED, "too many failed authentications");

        clock.advance(AgentSessionHandler.AUTH_FAILURE_WINDOW);
        for (int i = 0; i < AgentSessionHandler.AUTH_FAILURE_BURST; i++) {
            assertFailsWith(ErrorCode.UNKNOWN_AGENT, "is not registered");
        }
    }

    @Test
    void authIsRefusedWithinAuthTimeout_countedFromTheConnectionsStart_notFromTheHandshake() {
        var ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new AgentSessionHandler(context, new KeyRotation(context), limiter));
        Duration authTimeout = context.config().authTimeout();
        ch.advanceTimeBy(authTimeout.minusSeconds(2).toMillis(), TimeUnit.MILLISECONDS);   // a slow TLS + upgrade
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/agent/v1",
                EmptyHttpHeaders.INSTANCE, null));
        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Hello.class);

        ch.advanceTimeBy(2_000 - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.<Object>readOutbound()).as("still inside agents.authTimeout").isNull();

        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertRefused(ch, ErrorCode.AUTHENTICATION_FAILED, "no AUTH within " + authTimeout.toSeconds() + " s");
        assertThat(context.sessions().refusedLogins(ErrorCode.AUTHENTICATION_FAILED)).isEqualTo(1);
    }

    @Test
    void authWithNewlinesAndAnsiInTheAgentId_cannotForgeALogLine() {
        EmbeddedChannel ch = connect();
        ch.readOutbound();

        ch.writeInbound(auth("x\n08:00:00.000 INFO  [main] RelayServer RLY-001 relay listening\u001b[2J\u202e"));
        ch.runPendingTasks();

        assertRefused(ch, ErrorCode.UNKNOWN_AGENT, "is not registered");
        for (var e : logs.events()) {
            assertThat(e.getFormattedMessage()).doesNotContain("\n").doesNotContain("\r")
                    .doesNotContain("\u001b").doesNotContain("\u202e");
        }
        assertThat(logs.text()).contains("agent x\\u000a08:00:00.000 INFO").contains("listening\\u001b");
    }

    private void useUpBurst() {
        for (int i = 0; i < AgentSessionHandler.AUTH_FAILURE_BURST; i++) {
            EmbeddedChannel ch = connect();
            ch.readOutbound();
            ch.writeInbound(auth("agent-nobody"));
            ch.runPendingTasks();
            assertRefused(ch, ErrorCode.UNKNOWN_AGENT, "is not registered");
        }
    }

    private void assertFailsWith(ErrorCode code, String reason) {
        EmbeddedChannel ch = connect();
        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Hello.class);
        ch.writeInbound(auth("agent-nobody"));
        ch.runPendingTasks();
        assertRefused(ch, code, reason);
    }

    private EmbeddedChannel connect() {
        var ch = new EmbeddedChannel(new AgentSessionHandler(context, new KeyRotation(context), limiter));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/agent/v1",
                EmptyHttpHeaders.INSTANCE, null));
        return ch;
    }

    private dev.writeback.relay.store.AgentRecord registeredAgent(java.security.KeyPair identity) {
        var tenant = store.createTenant("acme");
        var agent = store.createAgent(tenant.id(), "dc1", identity.getPublic().getEncoded());
        store.addKeyVersion(agent.id(), 1, KeyPairs.newEncryptionKeyPair(new SecureRandom()).getPublic().getEncoded(), new byte[32]);
        return agent;
    }

    /** Reads the HELLO and answers it with an AUTH signed by {@code identity}. */
    private Message.Auth signedAuth(EmbeddedChannel ch, String agentId, java.security.KeyPair identity) throws Exception {
        Message.Hello hello = ch.readOutbound();
        long now = clock.millis();
        byte[] payload = Message.Auth.signedPayload(hello.nonce(), agentId, "relay.test", now);
        return new Message.Auth(agentId, now, "relay.test", "0.0.0-test", Signatures.sign(identity.getPrivate(), payload));
    }

    private Message.Auth auth(String agentId) {
        return new Message.Auth(agentId, clock.millis(), "relay.test", "0.0.0-test", new byte[] {0x30, 0x06, 2, 1, 1, 2, 1, 1});
    }

    private static void assertRefused(EmbeddedChannel ch, ErrorCode code, String reason) {
        Object first = ch.readOutbound();
        assertThat(first).isInstanceOfSatisfying(Message.ErrorMessage.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.message()).contains(reason);
        });
        Object close = ch.readOutbound();
        assertThat(close).isInstanceOfSatisfying(CloseWebSocketFrame.class, c -> {
            assertThat(c.statusCode()).isEqualTo(1008);
            assertThat(c.reasonText()).startsWith(code.name() + ": ");
            c.release();
        });
        assertThat(ch.isActive()).as("open for the peer to close first").isTrue();
        ch.advanceTimeBy(AgentSessionHandler.CLOSE_LINGER.toMillis(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).as("closed after the linger").isFalse();
    }
}
