package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.AgentKeys;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.protocol.crypto.Signatures;
import dev.writeback.protocol.testing.FakeClock;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of one relay connection on an {@link EmbeddedChannel} with frozen time: AUTH, READY, and a
 * request that is accepted at once, applied only after COMMIT, dropped without one, and refused when replayed.
 */
class LinkHandlerTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path state;

    private final FakeClock clock = new FakeClock();
    private final List<String> applied = new ArrayList<>();
    private KeyPair identity;
    private KeyPair rsa;
    private PackageKey packageKey;
    private RelayLink link;
    private EmbeddedChannel channel;

    @BeforeEach
    void start() throws Exception {
        identity = KeyPairs.newIdentityKeyPair(RANDOM);
        rsa = AgentKeys.newVersion(state, 1, RANDOM);
        packageKey = PackageKey.generate(1, RANDOM);
        AgentKeys.completeVersion(state, 1, RsaOaep.wrap(packageKey, rsa.getPublic(), RANDOM));
        var context = new LinkContext(URI.create("https://relay.test:8443"),
                new RelayTrust("SHA256:" + "00:".repeat(31) + "00", null), null, "tenant-1", "agent-1", "1.0-test",
                identity.getPrivate(), AgentKeys.load(state), state, this::apply, List::of, new Inline(), null, clock,
                RANDOM, null, null);
        link = new RelayLink(context);
        var handler = new LinkHandler(context, link, new LinkStats(), new ReplayGuard(1_000),
                new KeepAlive(clock, new SplittableRandom(7), context.timings()));
        channel = new EmbeddedChannel(handler);
        channel.freezeTime();
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        link.close();
        packageKey.close();
    }

    private Outcome apply(PasswordRequest request) {
        applied.add(request.operation() + " " + request.anchor());
        return Outcome.of(ResultCode.SUCCESS, "set on dc1");
    }

    /** The next frame of {@code type}, skipping pings and heartbeats. */
    private <T> T next(Class<T> type) {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            if (type.isInstance(o)) {
                return type.cast(o);
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        throw new AssertionError("no " + type.getSimpleName() + " was written");
    }

    private void ready() {
        byte[] nonce = new byte[Message.Hello.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        channel.writeInbound(new Message.Hello(nonce, clock.millis(), "relay.test"));
        Message.Auth auth = next(Message.Auth.class);
        assertThat(auth.agentId()).isEqualTo("agent-1");
        byte[] signed = Message.Auth.signedPayload(nonce, "agent-1", "relay.test", auth.timestampMillis());
        assertThat(Signatures.verify(identity.getPublic(), signed, auth.signature())).as("AUTH signs the nonce").isTrue();
        channel.writeInbound(new Message.Ready("session-1", "tenant-1", clock.millis(), 30, 300, 1, 16));
        assertThat(next(Message.Heartbeat.class).keyVersion()).as("a heartbeat right after READY").isEqualTo(1);
    }

    private Message.Request request(RequestId id) {
        var request = PasswordRequest.reset(Anchor.parse("sam:ada"), Secret.of("Correct-Horse-9"), false, false,
                clock.instant(), clock.instant().plus(Duration.ofSeconds(15)));
        byte[] sealed = Sealing.sealRequest(request, packageKey, rsa.getPublic(),
                new EnvelopeContext(FrameType.REQUEST, id, "tenant-1", "agent-1"), RANDOM);
        return new Message.Request(id, sealed);
    }

    @Test
    void pings_followTheKeepaliveInterval_withinItsJitter() {
        ready();
        Duration interval = link.keepAliveInterval();
        List<Long> pingsAt = new ArrayList<>();
        for (long second = 1; pingsAt.size() < 6 && second <= 600; second++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            for (Object o; (o = channel.readOutbound()) != null; ) {
                if (o instanceof io.netty.handler.codec.http.websocketx.PingWebSocketFrame) {
                    pingsAt.add(second);
                }
                io.netty.util.ReferenceCountUtil.release(o);
            }
        }

        assertThat(pingsAt).as("six pings").hasSize(6);
        long low = interval.toSeconds() * 4 / 5;
        long high = interval.toSeconds() * 6 / 5 + 1;   // +1: time moves in whole seconds here
        assertThat(pingsAt.get(0)).as("the first ping").isBetween(low, high);
        for (int i = 1; i < pingsAt.size(); i++) {
            assertThat(pingsAt.get(i) - pingsAt.get(i - 1)).as("gap before ping %d", i + 1).isBetween(low, high);
        }
    }

    @Test
    void nothingFromTheRelayForTheDeadPeerTimeout_closesTheConnection_notBefore() {
        channel.finishAndReleaseAll();
        Duration deadPeer = link.context().timings().deadPeer();
        var handler = new LinkHandler(link.context(), link, new LinkStats(), new ReplayGuard(1_000),
                new KeepAlive(clock, new SplittableRandom(7), link.context().timings()));
        channel = new EmbeddedChannel(new io.netty.handler.timeout.IdleStateHandler(deadPeer.toMillis(), 0, 0,
                TimeUnit.MILLISECONDS), handler);
        channel.freezeTime();
        ready();

        channel.advanceTimeBy(deadPeer.toMillis() - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("1 ms before the timeout").isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("at the timeout").isFalse();
    }

    @Test
    void aRequest_isAcceptedAtOnce_andAppliedOnlyAfterCommit() {
        ready();
        RequestId id = RequestId.random();

        channel.writeInbound(request(id));
        assertThat(next(Message.Accepted.class).requestId()).isEqualTo(id);
        assertThat(applied).as("nothing before COMMIT").isEmpty();

        channel.writeInbound(new Message.Commit(id));
        channel.runPendingTasks();

        assertThat(applied).containsExactly("RESET sam:ada");
        Message.Result result = next(Message.Result.class);
        Outcome outcome = Sealing.openResult(result.sealed(), new EnvelopeContext(FrameType.RESULT, id, "tenant-1", "agent-1"),
                packageKey);
        assertThat(outcome.code()).isEqualTo(ResultCode.SUCCESS);
        assertThat(outcome.adminDiagnostic()).isEqualTo("set on dc1");
    }

    @Test
    void aRequestWithoutCommit_isDroppedUnapplied_after60s() {
        ready();
        RequestId id = RequestId.random();
        channel.writeInbound(request(id));
        next(Message.Accepted.class);

        channel.advanceTimeBy(LinkHandler.AWAIT_COMMIT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.writeInbound(new Message.Commit(id));   // too late: the agent has let it go
        channel.runPendingTasks();

        assertThat(applied).isEmpty();
        assertThat(channel.outboundMessages()).noneMatch(Message.Result.class::isInstance);
    }

    @Test
    void aReplayedRequest_isRefused_andAppliedOnce() {
        ready();
        RequestId id = RequestId.random();
        Message.Request request = request(id);
        channel.writeInbound(request);
        next(Message.Accepted.class);

        channel.writeInbound(new Message.Request(id, request.sealed()));   // the same id while waiting for COMMIT
        assertThat(next(Message.ErrorMessage.class).code()).isEqualTo(ErrorCode.REPLAYED);

        channel.writeInbound(new Message.Commit(id));
        channel.runPendingTasks();
        next(Message.Result.class);
        channel.writeInbound(new Message.Request(id, request.sealed()));   // and again after it was applied
        next(Message.Accepted.class);
        channel.writeInbound(new Message.Commit(id));
        channel.runPendingTasks();

        assertThat(next(Message.ErrorMessage.class).code()).isEqualTo(ErrorCode.REPLAYED);
        assertThat(applied).hasSize(1);
    }

    @Test
    void aRequestBeforeReady_closesTheConnection() {
        channel.writeInbound(request(RequestId.random()));

        assertThat(channel.isOpen()).isFalse();
        assertThat(applied).isEmpty();
    }

    @Test
    void aRequestSealedForAnotherAgent_isRejected_notApplied() {
        ready();
        RequestId id = RequestId.random();
        var request = PasswordRequest.reset(Anchor.parse("sam:ada"), Secret.of("Correct-Horse-9"), false, false,
                clock.instant(), clock.instant().plus(Duration.ofSeconds(15)));
        byte[] forOther = Sealing.sealRequest(request, packageKey, rsa.getPublic(),
                new EnvelopeContext(FrameType.REQUEST, id, "tenant-1", "agent-2"), RANDOM);

        channel.writeInbound(new Message.Request(id, forOther));
        next(Message.Accepted.class);
        channel.writeInbound(new Message.Commit(id));
        channel.runPendingTasks();

        assertThat(next(Message.ErrorMessage.class).code()).isEqualTo(ErrorCode.BAD_TAG);
        assertThat(applied).isEmpty();
    }

    /** Runs each task on the calling thread: the test thread is the channel's event loop. */
    private static final class Inline extends AbstractExecutorService {
        private boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
