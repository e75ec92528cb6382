package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentState;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.Signatures;
import dev.writeback.relay.RelayServer;
import dev.writeback.protocol.tls.TlsPolicy;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay under attack and a healthy tenant next to it: a real agent with the embedded directory whose password
 * resets must keep working before, during and after every attack. Attacks come from their own loopback source
 * addresses (127.0.x.y), so per-address limits only ever hit the attacker.
 */
final class HostileFixture implements AutoCloseable {
    static final String ADA_DN = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";

    final CapturedLogs logs = new CapturedLogs();
    final RelayServer relay;
    final RelayClient healthy;
    final String healthyAgentId;
    final Agent healthyAgent;
    final int ldapsPort;
    final String attackerToken;
    final String fuzzAgentId;
    final PrivateKey fuzzAgentKey;
    final SslContext tls;   // one context for all probes: TLS sessions resume, which keeps thousands of connections cheap
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final List<String> passwords = new ArrayList<>(List.of("Engine-1843"));
    private final AtomicInteger sources = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger resets = new AtomicInteger();
    private volatile String adaPassword = "Engine-1843";

    HostileFixture(Path dir) throws Exception {
        relay = Loopback.relay(dir);
        tls = TlsPolicy.pinned(relay.fingerprint());
        String[] tenant = Loopback.tenant(relay, "healthy");
        healthy = new RelayClient(relay.port(), relay.fingerprint(), tenant[1]);
        Path state = Loopback.register(relay, tenant[0], dir, "healthy-agent");
        healthyAgentId = AgentState.load(state).agentId();
        ldapsPort = Loopback.freePort();
        healthyAgent = Loopback.agent(state, Loopback.freePort(), ldapsPort);
        healthyAgent.link().firstReady().get(30, TimeUnit.SECONDS);

        String[] attacker = Loopback.tenant(relay, "attacker");
        attackerToken = attacker[1];
        Path fuzzState = Loopback.register(relay, attacker[0], dir, "fuzz-agent");
        fuzzAgentId = AgentState.load(fuzzState).agentId();
        fuzzAgentKey = KeyPairs.privateKey("EC", pem(fuzzState.resolve("identity.key")));
    }

    /** A loopback source address no other connection of this run used. */
    String freshSource() {
        int n = sources.getAndIncrement();
        return "127.0." + (10 + n / 250) + "." + (1 + n % 250);
    }

    WsProbe probe(String source) throws Exception {
        return WsProbe.open(group, tls, relay.port(), source);
    }

    WsProbe probe() throws Exception {
        return probe(freshSource());
    }

    /** An AUTH for {@code agentId}, signed with {@code key} over {@code nonce}. */
    static Message.Auth auth(String agentId, PrivateKey key, byte[] nonce, long timestampMillis) {
        byte[] payload = Message.Auth.signedPayload(nonce, agentId, "localhost", timestampMillis);
        return new Message.Auth(agentId, timestampMillis, "localhost", "0.0.0-hostile", Signatures.sign(key, payload));
    }

    /** Opens a connection and authenticates as the attacker tenant's fuzz agent. */
    WsProbe authenticatedFuzzAgent() throws Exception {
        WsProbe p = probe();
        var hello = p.expect(Message.Hello.class, Duration.ofSeconds(5));
        p.send(auth(fuzzAgentId, fuzzAgentKey, hello.nonce(), System.currentTimeMillis()));
        p.expect(Message.Ready.class, Duration.ofSeconds(5));
        return p;
    }

    /** A password reset for the healthy tenant succeeds and the new password binds. */
    void healthyResetSucceeds(String when) {
        String pw = "Wb-" + Math.floorMod(random.nextLong(), 1_000_000_000_000L) + "-Zz9";   // digits: no part of a name
        passwords.add(pw);
        var r = healthy.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"" + pw + "\"}");
        assertThat(r.status()).as("healthy tenant's reset %s: %s", when, r.text()).isEqualTo(200);
        assertThat(r.result()).as("healthy tenant's reset %s", when).isEqualTo("SUCCESS");
        adaPassword = pw;
        resets.incrementAndGet();
    }

    /** The healthy tenant's account binds with its latest password. */
    void healthyPasswordBinds() throws Exception {
        var ssl = new SSLUtil(new TrustAllTrustManager());
        try (var c = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", ldapsPort)) {
            assertThat(c.bind(ADA_DN, adaPassword).getResultCode()).isEqualTo(ResultCode.SUCCESS);
        } catch (LDAPException e) {
            throw new AssertionError("the healthy tenant's password does not bind: " + e.getResultCode(), e);
        }
    }

    int resets() {
        return resets.get();
    }

    @Override
    public void close() {
        try {
            healthyAgent.close();
            relay.stop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        } finally {
            logs.close();
        }
    }

    private static byte[] pem(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(text);
    }
}
