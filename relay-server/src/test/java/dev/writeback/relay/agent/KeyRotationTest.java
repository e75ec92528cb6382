package dev.writeback.relay.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.store.AgentKey;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rollover on {@link EmbeddedChannel}s with a real store, a queued blocking pool and frozen time: the frames
 * of the exchange, which session seals with which version when, and the overlap, in milliseconds.
 */
class KeyRotationTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyPair RSA_1 = KeyPairs.newEncryptionKeyPair(RANDOM);
    private static final KeyPair RSA_2 = KeyPairs.newEncryptionKeyPair(RANDOM);

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock();
    private final Queue<Runnable> blocking = new ArrayDeque<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private Store store;
    private SessionContext context;
    private KeyRotation rotation;
    private String agentId;
    private String tenantId;

    @BeforeEach
    void start() {
        store = Store.openSqlite(dir, MasterKey.loadOrCreate(dir, Map.of()), clock);
        context = new SessionContext(RelayConfig.defaults(dir), store, new AgentSessions(), clock, RANDOM, blocking::add,
                "relay.test");
        rotation = new KeyRotation(context);
        tenantId = store.createTenant("acme").id();
        try (var key = PackageKey.generate(1, RANDOM)) {
            agentId = store.registerAgent(tenantId, "dc1", KeyPairs.newIdentityKeyPair(RANDOM).getPublic().getEncoded(),
                    RSA_1.getPublic().getEncoded(), key).id();
        }
    }

    @AfterEach
    void stop() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        store.close();
    }

    private AgentSession session(String sessionId) {
        var ch = new EmbeddedChannel();
        ch.freezeTime();
        channels.add(ch);
        var session = new AgentSession(ch, agentId, "dc1", tenantId, sessionId, "1.0",
                SessionKeys.of(store.keys(agentId), rotation.sealingCeiling(agentId)), clock, 8,
                (t, r, a, o, n) -> java.util.concurrent.CompletableFuture.completedFuture(null));
        context.sessions().add(session);
        return session;
    }

    private static EmbeddedChannel channel(AgentSession s) {
        return (EmbeddedChannel) s.channel();
    }

    private void runAll() {
        for (int i = 0; i < 10; i++) {
            channels.forEach(EmbeddedChannel::runPendingTasks);
            while (!blocking.isEmpty()) {
                blocking.poll().run();
            }
        }
        channels.forEach(EmbeddedChannel::runPendingTasks);
    }

    @Test
    void rollover_exchangesKeys_andTheSessionSealsWithTheNewVersionAtOnce() {
        AgentSession a = session("a");
        assertThat(rotation.rotate(agentId)).isTrue();
        runAll();
        assertThat(channel(a).<Message.RotateKeys>readOutbound().keyVersion()).isEqualTo(2);
        assertThat(rotation.rollovers("started")).isEqualTo(1);

        rotation.onKeys(a, new Message.Keys(2, RSA_2.getPublic().getEncoded(), new byte[0]));
        runAll();

        Message.Keys answer = channel(a).readOutbound();
        assertThat(answer.keyVersion()).isEqualTo(2);
        AgentKey stored = store.key(agentId, 2).orElseThrow();
        try (PackageKey unwrapped = RsaOaep.unwrap(2, answer.wrappedPackageKey(), RSA_2.getPrivate())) {
            assertThat(unwrapped.bytes()).as("the agent gets the stored key").isEqualTo(stored.packageKey());
        }
        assertThat(a.sealingKey().version()).isEqualTo(2);
        assertThat(store.key(agentId, 1).orElseThrow().destroyAfter()).isEqualTo(clock.instant().plus(rotation.overlap()));
        assertThat(store.audit(tenantId, java.time.Instant.EPOCH, 10)).anySatisfy(r -> assertThat(r.operation()).isEqualTo("KEYS_ROTATED"));
        assertThat(rotation.rollovers("completed")).isEqualTo(1);
    }

    @Test
    void theOldVersion_opensUntilTheOverlapHasPassed() {
        AgentSession a = session("a");
        rotation.rotate(agentId);
        runAll();
        channel(a).readOutbound();
        rotation.onKeys(a, new Message.Keys(2, RSA_2.getPublic().getEncoded(), new byte[0]));
        runAll();

        long overlap = rotation.overlap().toMillis();
        channel(a).advanceTimeBy(overlap - 1, TimeUnit.MILLISECONDS);
        channel(a).runScheduledPendingTasks();
        assertThat(a.keys().key(1)).as("within the overlap").isPresent();
        channel(a).advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel(a).runScheduledPendingTasks();
        assertThat(a.keys().key(1)).as("after the overlap").isEmpty();
        assertThat(a.keys().key(2)).isPresent();
    }

    @Test
    void anotherSession_switchesOnlyWhenTheAgentSaysSoOnIt() {
        AgentSession a = session("a");
        AgentSession b = session("b");
        rotation.rotate(agentId);
        runAll();
        AgentSession exchanged = channel(a).outboundMessages().isEmpty() ? b : a;
        AgentSession other = exchanged == a ? b : a;
        channel(exchanged).readOutbound();
        rotation.onKeys(exchanged, new Message.Keys(2, RSA_2.getPublic().getEncoded(), new byte[0]));
        runAll();
        assertThat(other.sealingKey().version()).as("no heartbeat on it yet").isEqualTo(1);
        assertThat(rotation.inProgress()).as("until the agent confirms").isEqualTo(1);

        AgentSession late = session("c");
        assertThat(late.sealingKey().version()).as("a session opened meanwhile stays below the rollover").isEqualTo(1);

        rotation.onHeartbeat(other, 2);
        rotation.onHeartbeat(late, 2);
        runAll();

        assertThat(other.sealingKey().version()).isEqualTo(2);
        assertThat(late.sealingKey().version()).isEqualTo(2);
        assertThat(rotation.inProgress()).isZero();
    }

    @Test
    void keysForAnotherVersion_areRefused_andNothingIsStored() {
        AgentSession a = session("a");
        rotation.rotate(agentId);
        runAll();
        channel(a).readOutbound();

        rotation.onKeys(a, new Message.Keys(3, RSA_2.getPublic().getEncoded(), new byte[0]));
        runAll();

        Message.ErrorMessage error = channel(a).readOutbound();
        assertThat(error.code()).isEqualTo(ErrorCode.UNEXPECTED_FRAME);
        assertThat(store.key(agentId, 3)).isEmpty();
        assertThat(a.sealingKey().version()).isEqualTo(1);
    }

    @Test
    void oneRolloverPerAgent_untilItsSessionCloses() {
        AgentSession a = session("a");
        rotation.rotate(agentId);
        rotation.rotate(agentId);
        runAll();
        assertThat(channel(a).outboundMessages()).hasSize(1);

        rotation.onClosed(a);
        assertThat(rotation.inProgress()).isZero();
    }

    @Test
    void aKeyOlderThanTheInterval_isRotatedWhenTheSessionIsReady() {
        clock.advance(RelayConfig.defaults(dir).keyRotationInterval().plus(Duration.ofSeconds(1)));
        AgentSession a = session("a");

        rotation.onReady(a);
        runAll();

        assertThat(channel(a).<Message.RotateKeys>readOutbound().keyVersion()).isEqualTo(2);
    }

    @Test
    void inACluster_onlyTheNodeHoldingTheAgentsLease_startsItsRollover() {
        var nodeA = new SessionContext(RelayConfig.defaults(dir), store, new AgentSessions(), clock, RANDOM, blocking::add,
                "relay.test", null, "node-a");
        var onA = new KeyRotation(nodeA);
        assertThat(store.takeLease("key-rotation:" + agentId, "node-b", clock.instant(), KeyRotation.LEASE)).isTrue();
        context = nodeA;
        rotation = onA;
        AgentSession a = session("a");

        assertThat(onA.rotate(agentId)).isTrue();
        runAll();
        assertThat(channel(a).<Object>readOutbound()).as("node-b holds the lease: no ROTATE_KEYS from node-a").isNull();
        assertThat(onA.inProgress()).isZero();

        clock.advance(KeyRotation.LEASE.plusSeconds(1));   // node-b's lease ran out
        onA.rotate(agentId);
        runAll();
        assertThat(channel(a).<Object>readOutbound()).isInstanceOf(Message.RotateKeys.class);
        assertThat(onA.inProgress()).isEqualTo(1);
    }
}
