package dev.writeback.relay.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.Signatures;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request is sealed (RSA-OAEP with the tenant's key, up to 4096 bits) on the blocking pool, never on the event
 * loop that serves every tenant's connections: one tenant's big keys or many changes cannot stall the others.
 */
class SealOffEventLoopTest {
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final Queue<Runnable> blockingQueue = new ArrayDeque<>();
    private Store store;
    private SessionContext context;

    @BeforeEach
    void start() throws Exception {
        store = Store.openSqlite(dir, MasterKey.loadOrCreate(dir, Map.of()), clock);
        Executor queued = blockingQueue::add;
        context = new SessionContext(RelayConfig.defaults(dir), store, new AgentSessions(), clock, new SecureRandom(),
                queued, "relay.test");
    }

    @AfterEach
    void stop() {
        store.close();
    }

    @Test
    void sealing_runsOnTheBlockingPool_andTheRequestIsWrittenOnlyAfterwards() throws Exception {
        EmbeddedChannel ch = authenticatedAgent();
        AgentSession session = context.sessions().all().get(0);
        blockingQueue.clear();   // the last-contact write after READY

        var request = PasswordRequest.reset(Anchor.parse("sam:ada"), Secret.of("Correct-Horse-9"), false, false,
                clock.instant(), clock.instant().plus(Duration.ofSeconds(15)));
        session.deliver(RequestId.random(), request, outcome -> { }, miss -> { });
        ch.runPendingTasks();

        assertThat(ch.<Object>readOutbound()).as("not sealed on the event loop").isNull();
        assertThat(blockingQueue).hasSize(1);

        var sealedOn = new AtomicReference<String>();
        Thread worker = new Thread(() -> {
            sealedOn.set(Thread.currentThread().getName());
            blockingQueue.poll().run();
        }, "relay-blocking-test");
        worker.start();
        worker.join(10_000);
        ch.runPendingTasks();

        assertThat(sealedOn).hasValue("relay-blocking-test");
        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Request.class);
        ch.finishAndReleaseAll();
    }

    private EmbeddedChannel authenticatedAgent() {
        var random = new SecureRandom();
        var identity = KeyPairs.newIdentityKeyPair(random);
        var tenant = store.createTenant("acme");
        var agent = store.createAgent(tenant.id(), "dc1", identity.getPublic().getEncoded());
        store.addKeyVersion(agent.id(), 1, KeyPairs.newEncryptionKeyPair(random).getPublic().getEncoded(), new byte[32]);
        var limiter = new FailureLimiter(clock, AgentSessionHandler.AUTH_FAILURE_BURST, AgentSessionHandler.AUTH_FAILURE_WINDOW);
        var ch = new EmbeddedChannel(new AgentSessionHandler(context, new KeyRotation(context), limiter));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/agent/v1",
                EmptyHttpHeaders.INSTANCE, null));
        Message.Hello hello = ch.readOutbound();
        long now = clock.millis();
        byte[] payload = Message.Auth.signedPayload(hello.nonce(), agent.id(), "relay.test", now);
        ch.writeInbound(new Message.Auth(agent.id(), now, "relay.test", "0.0.0-test", Signatures.sign(identity.getPrivate(), payload)));
        while (!blockingQueue.isEmpty()) {
            blockingQueue.poll().run();   // the store lookup
            ch.runPendingTasks();
        }
        assertThat(ch.<Object>readOutbound()).isInstanceOf(Message.Ready.class);
        return ch;
    }
}
