package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.agent.AgentKeys;
import dev.writeback.agent.AgentState;
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
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.AgentKey;
import io.netty.channel.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with the embedded directory, connected to a rogue relay that holds the agent's keys (as a
 * compromised or buggy relay would) and sends it replayed, expired and tampered REQUESTs. The agent must answer
 * each with ERROR (REPLAYED, EXPIRED, BAD_TAG) and apply nothing, which the directory confirms: the password a
 * refused request carried never binds, and the last good one still does.
 */
class RogueRelayIT {
    private static final String ADA_DN = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static Path state;
    static RogueRelay rogue;
    static Agent agent;
    static Channel link;
    static String tenantId;
    static String agentId;
    static PackageKey packageKey;
    static PublicKey rsaKey;
    static int ldapsPort;
    static final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        try (RelayServer relay = Loopback.relay(dir)) {   // the real relay registers the agent, then goes away
            String[] tenant = Loopback.tenant(relay, "victim");
            tenantId = tenant[0];
            state = Loopback.register(relay, tenantId, dir, "victim-agent");
            agentId = AgentState.load(state).agentId();
            AgentKey key = relay.store().keys(agentId).get(0);
            packageKey = PackageKey.of(key.version(), key.packageKey());
            rsaKey = KeyPairs.encryptionPublicKey(key.rsaPublicKey());
        }
        rogue = new RogueRelay(dir.resolve("relay"), tenantId, packageKey.version());
        ldapsPort = Loopback.freePort();
        Path yaml = state.getParent().resolve("agent.yaml");
        Files.writeString(yaml, """
                stateDir: state
                relay:
                  url: https://127.0.0.1:%d
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      baseDn: DC=corp,DC=example
                      host: 127.0.0.1
                      ldapPort: %d
                      ldapsPort: %d
                """.formatted(rogue.port(), Loopback.freePort(), ldapsPort));
        agent = Agent.start(AgentConfig.load(yaml));
        link = rogue.awaitSession(WAIT);
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) {
                agent.close();
            }
            if (rogue != null) {
                rogue.close();
            }
        } finally {
            logs.close();
        }
    }

    @Test
    void tamperedExpiredAndReplayedRequests_areRefused_andNothingIsApplied() throws Exception {
        long rejectedBefore = agent.link().stats().rejected();
        Instant now = Instant.now();
        var good = RequestId.random();
        byte[] goodSealed = seal(good, "Good-First-11", now, now.plusSeconds(15));
        assertThat(outcome(good, goodSealed)).isEqualTo(ResultCode.SUCCESS);
        assertBinds("Good-First-11");

        var tamperedId = RequestId.random();
        byte[] tampered = seal(tamperedId, "Tampered-22", now, now.plusSeconds(15));
        tampered[tampered.length - 20] ^= 0x01;                                       // one bit of ciphertext
        assertRefused(tamperedId, tampered, ErrorCode.BAD_TAG);

        var moved = RequestId.random();                                               // a good body under another id
        assertRefused(moved, seal(RequestId.random(), "Moved-33", now, now.plusSeconds(15)), ErrorCode.BAD_TAG);

        var expired = RequestId.random();
        assertRefused(expired, seal(expired, "Expired-44", now.minusSeconds(75), now.minusSeconds(60)), ErrorCode.EXPIRED);

        var future = RequestId.random();
        assertRefused(future, seal(future, "Future-55", now.plusSeconds(600), now.plusSeconds(615)), ErrorCode.EXPIRED);

        var second = RequestId.random();
        assertThat(outcome(second, seal(second, "Good-Second-66", Instant.now(), Instant.now().plusSeconds(15))))
                .isEqualTo(ResultCode.SUCCESS);

        assertRefused(good, goodSealed, ErrorCode.REPLAYED);                          // the first request, again

        assertBinds("Good-Second-66");
        for (String refused : new String[] {"Good-First-11", "Tampered-22", "Moved-33", "Expired-44", "Future-55"}) {
            assertDoesNotBind(refused);
        }
        assertThat(agent.link().stats().rejected()).isEqualTo(rejectedBefore + 5);
        assertThat(logs.text()).contains("AGT-330 request rejected code=BAD_TAG").contains("code=EXPIRED").contains("code=REPLAYED")
                .doesNotContain("Tampered-22").doesNotContain("Good-Second-66");
    }

    @Test
    void futureDatedOrExpiredRequest_isNotRemembered_soTheReplayGuardCannotBeFilled() throws Exception {
        Instant now = Instant.now();
        var id = RequestId.random();
        assertRefused(id, seal(id, "Future-First-13", now.plusSeconds(3600), now.plusSeconds(86_400)), ErrorCode.EXPIRED);
        assertRefused(id, seal(id, "Expired-Then-14", now.minusSeconds(90), now.minusSeconds(60)), ErrorCode.EXPIRED);

        // Had either refusal been recorded, the guard would hold the id (for a day) and answer REPLAYED here.
        assertThat(outcome(id, seal(id, "Valid-Later-15", Instant.now(), Instant.now().plusSeconds(15))))
                .isEqualTo(ResultCode.SUCCESS);
        assertBinds("Valid-Later-15");
    }

    @Test
    void rotationOrKeysForAVersionAlreadyHeld_areRefused_andTheAgentStillStarts() throws Exception {
        Path keysDir = state.resolve("keys");
        byte[] rsaBefore = Files.readAllBytes(keysDir.resolve("v" + packageKey.version() + ".rsa"));
        byte[] wrappedBefore = Files.readAllBytes(keysDir.resolve("v" + packageKey.version() + ".wrapped"));

        link.writeAndFlush(new Message.RotateKeys(packageKey.version()));
        Await.until("the rotation to be refused", WAIT, () -> logs.contains("AGT-406 key rotation refused"));
        byte[] rogueWrapped;
        try (var rogueKey = PackageKey.generate(packageKey.version(), random)) {   // well formed, wrapped for the agent
            rogueWrapped = RsaOaep.wrap(rogueKey, rsaKey, random);
        }
        link.writeAndFlush(new Message.Keys(packageKey.version(), new byte[0], rogueWrapped));
        Await.until("the key installation to be refused", WAIT, () -> logs.contains("AGT-406 key installation refused"));

        assertThat(Files.readAllBytes(keysDir.resolve("v" + packageKey.version() + ".rsa"))).isEqualTo(rsaBefore);
        assertThat(Files.readAllBytes(keysDir.resolve("v" + packageKey.version() + ".wrapped"))).isEqualTo(wrappedBefore);
        assertThat(AgentKeys.load(state).currentVersion()).isEqualTo(packageKey.version());   // what a restart loads
        var id = RequestId.random();   // and results are still sealed with the genuine package key
        assertThat(outcome(id, seal(id, "After-Rogue-Keys-16", Instant.now(), Instant.now().plusSeconds(15))))
                .isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void readyAnnouncingAHugeInFlightLimit_isCappedLocally_byCountAndBytes_andLoggedOnce() throws Exception {
        rogue.announceMaxInFlight(Integer.MAX_VALUE);
        link = reconnect();
        try {
            // 300 small requests: the agent's own cap (limits.maxInFlight, default 256) applies, not 2^31-1.
            assertThat(flood(300, 64)).containsExactly(256, 44);
            link = reconnect();   // the old connection's uncommitted requests are dropped
            Await.until("the dropped requests to leave", WAIT, () -> agent.link().stats().inFlight() == 0);

            // 100 requests of 60,000 bytes (unopened bytes cost memory too): the 4 MiB budget holds 69 of them.
            assertThat(flood(100, 60_000)).containsExactly(69, 31);
        } finally {
            rogue.announceMaxInFlight(256);
            link = reconnect();
            Await.until("the dropped requests to leave", WAIT, () -> agent.link().stats().inFlight() == 0);
        }
        assertThat(logs.text().lines().filter(l -> l.contains("AGT-340")).count()).as("AGT-340 lines").isEqualTo(1);
        assertThat(logs.text()).contains("AGT-340 1 request(s) answered BUSY at the in-flight limit (requests 256 of 256, bytes")
                .contains("relay announced 2147483647");
        var id = RequestId.random();   // a request after the floods is served
        assertThat(outcome(id, seal(id, "After-Flood-17", Instant.now(), Instant.now().plusSeconds(15))))
                .isEqualTo(ResultCode.SUCCESS);
    }

    /** Sends {@code count} REQUESTs of {@code bytes} random bytes without COMMIT; returns [ACCEPTED, BUSY] counts. */
    private static List<Integer> flood(int count, int bytes) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] junk = new byte[bytes];
            random.nextBytes(junk);
            link.write(new Message.Request(RequestId.random(), junk));
        }
        link.flush();
        int accepted = 0;
        int busy = 0;
        for (int i = 0; i < count; i++) {
            Message m = rogue.next(WAIT);
            if (m instanceof Message.Accepted) {
                accepted++;
            } else if (m instanceof Message.ErrorMessage e && e.code() == ErrorCode.BUSY) {
                busy++;
            } else {
                throw new AssertionError("unexpected answer " + m);
            }
        }
        return List.of(accepted, busy);
    }

    /** Asks the agent to reconnect (GOAWAY), waits for the new session and closes the old connection. */
    private static Channel reconnect() throws Exception {
        Channel old = link;
        old.writeAndFlush(new Message.Goaway("rogue wants a new connection", 0));
        Channel fresh = rogue.awaitSession(WAIT);
        old.close().sync();
        return fresh;
    }

    @Test
    void replayOnANewConnection_isRefused() throws Exception {
        var id = RequestId.random();
        byte[] sealed = seal(id, "Before-Reconnect-77", Instant.now(), Instant.now().plusSeconds(30));
        assertThat(outcome(id, sealed)).isEqualTo(ResultCode.SUCCESS);

        link.writeAndFlush(new Message.Goaway("rogue wants a new connection", 0));
        link = rogue.awaitSession(WAIT);
        long rejected = agent.link().stats().rejected();

        assertRefused(id, sealed, ErrorCode.REPLAYED);
        assertThat(agent.link().stats().rejected()).isEqualTo(rejected + 1);
        assertBinds("Before-Reconnect-77");
    }

    @Test
    void acceptedButNeverCommitted_isNeverApplied() throws Exception {
        var uncommitted = RequestId.random();
        link.writeAndFlush(new Message.Request(uncommitted, seal(uncommitted, "Never-Committed-88", Instant.now(),
                Instant.now().plusSeconds(30))));
        assertThat(rogue.next(WAIT)).isEqualTo(new Message.Accepted(uncommitted));

        var next = RequestId.random();                       // frames are read in order: this one comes after
        assertThat(outcome(next, seal(next, "Committed-Later-99", Instant.now(), Instant.now().plusSeconds(30))))
                .isEqualTo(ResultCode.SUCCESS);
        Channel old = link;
        old.writeAndFlush(new Message.Goaway("rogue drops the connection", 0));
        link = rogue.awaitSession(WAIT);
        old.close();                                         // the COMMIT for the first request will never come

        assertBinds("Committed-Later-99");
        assertDoesNotBind("Never-Committed-88");
        Await.until("the uncommitted request to be dropped", WAIT, () -> logs.contains("AGT-331 request dropped unapplied"));
        assertThat(logs.text()).doesNotContain("Never-Committed-88");
    }

    private static byte[] seal(RequestId id, String password, Instant issuedAt, Instant expiresAt) {
        var request = PasswordRequest.reset(Anchor.parse("upn:ada@corp.example"), Secret.of(password), true, false,
                issuedAt, expiresAt);
        try {
            return Sealing.sealRequest(request, packageKey, rsaKey, new EnvelopeContext(FrameType.REQUEST, id, tenantId, agentId),
                    random);
        } finally {
            request.destroy();
        }
    }

    /** Sends a REQUEST and, after ACCEPTED, its COMMIT; the agent must answer a RESULT; returns the result code. */
    private static ResultCode outcome(RequestId id, byte[] sealed) throws Exception {
        link.writeAndFlush(new Message.Request(id, sealed));
        assertThat(rogue.next(WAIT)).isEqualTo(new Message.Accepted(id));
        link.writeAndFlush(new Message.Commit(id));
        Message answer = rogue.next(WAIT);
        assertThat(answer).as("answer to %s", id).isInstanceOf(Message.Result.class);
        Outcome outcome = Sealing.openResult(((Message.Result) answer).sealed(),
                new EnvelopeContext(FrameType.RESULT, id, tenantId, agentId), packageKey);
        return outcome.code();
    }

    /** Sends a REQUEST the agent must refuse with ERROR {@code code} for that request id. */
    private static void assertRefused(RequestId id, byte[] sealed, ErrorCode code) throws Exception {
        link.writeAndFlush(new Message.Request(id, sealed));
        assertThat(rogue.next(WAIT)).isEqualTo(new Message.Accepted(id));
        link.writeAndFlush(new Message.Commit(id));
        Message answer = rogue.next(WAIT);
        assertThat(answer).as("answer to %s", id).isInstanceOfSatisfying(Message.ErrorMessage.class, e -> {
            assertThat(e.requestId()).isEqualTo(id);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    private static void assertBinds(String password) throws Exception {
        assertThat(bind(password)).as("bind with %s", password).isEqualTo(ResultCode.SUCCESS.name());
    }

    private static void assertDoesNotBind(String password) throws Exception {
        assertThat(bind(password)).as("a refused request's password must not bind").isEqualTo("INVALID_CREDENTIALS");
    }

    private static String bind(String password) throws Exception {
        var ssl = new SSLUtil(new TrustAllTrustManager());
        try (var c = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", ldapsPort)) {
            return c.bind(ADA_DN, password).getResultCode() == com.unboundid.ldap.sdk.ResultCode.SUCCESS ? "SUCCESS" : "OTHER";
        } catch (LDAPException e) {
            return e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.INVALID_CREDENTIALS ? "INVALID_CREDENTIALS"
                    : e.getResultCode().getName();
        }
    }
}
