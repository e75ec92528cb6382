package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.agent.Agent;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import dev.writeback.relay.OperationsConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.agent.AgentSession;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay whose self-signed certificate lives 2 hours and is renewed 118 minutes before it expires: after 4 minutes
 * on the relay's clock (under the 5 minutes of skew AUTH tolerates against the agent's real clock) the next
 * housekeeping run re-issues it with the same key. The connected agent keeps its link,
 * a fresh handshake gets the new certificate under the same key pin, and an agent that reconnects gets in.
 */
class CertificateRenewalIT {
    @TempDir
    static Path dir;

    static FakeClock clock;
    static CapturedLogs logs;
    static RelayServer relay;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        clock = new FakeClock(Instant.now());   // the agent checks validity on the real clock: stay close to it
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                .heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)).build();
        relay = RelayServer.start(config, OperationsConfig.DEFAULTS.withSelfSigned(Duration.ofHours(2), Duration.ofMinutes(118)),
                clock);
        String[] tenant = Loopback.tenant(relay, "acme");
        Path state = Loopback.register(relay, tenant[0], dir, "agent-1");
        agent = Loopback.agent(state, 0, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
            if (relay != null) {
                relay.stop();
            }
        } finally {
            logs.close();
        }
    }

    @Test
    void shortLivedCertificate_renewsWithTheSameKey_whileTheAgentStaysConnected_andReconnects() throws Exception {
        AgentSession before = awaitSession(null);
        String pin = relay.fingerprint();
        String oldCertificate = relay.certificateFingerprint();
        Instant oldExpiry = relay.certificateNotAfter();
        assertThat(served(pin)).isEqualTo(oldCertificate);
        assertThat(relay.maintainCertificate()).as("not due yet").isFalse();

        clock.advance(Duration.ofMinutes(4));
        assertThat(relay.maintainCertificate()).as("due: less than 118 minutes left").isTrue();

        assertThat(relay.fingerprint()).isEqualTo(pin);
        assertThat(relay.certificateFingerprint()).isNotEqualTo(oldCertificate);
        assertThat(relay.certificateNotAfter()).isAfter(oldExpiry);
        assertThat(logs.contains("RLY-011 renewed self-signed certificate")).isTrue();
        assertThat(served(pin)).as("new handshakes get the renewed certificate").isEqualTo(relay.certificateFingerprint());
        assertThatThrownBy(() -> served(oldCertificate)).as("a pin of the old certificate itself no longer matches")
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(relay.sessions().all()).as("the open link is untouched").containsExactly(before);

        before.close("test: reconnect after the renewal");
        AgentSession after = awaitSession(before);
        assertThat(after.agentId()).isEqualTo(before.agentId());
    }

    /** The fingerprint of the certificate a client trusting {@code pin} is served. */
    private static String served(String pin) throws Exception {
        try (var socket = (SSLSocket) TlsPolicy.pinnedJdk(pin).getSocketFactory().createSocket("127.0.0.1", relay.port())) {
            socket.startHandshake();
            return Certificates.fingerprint((X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    /** Waits (real agent, real reconnect backoff) for one session other than {@code previous}. */
    private static AgentSession awaitSession(AgentSession previous) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<AgentSession> all = relay.sessions().all();
            if (all.size() == 1 && all.get(0) != previous && all.get(0).acceptsWork()) {
                return all.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no agent session within 60s: " + relay.sessions().all());
    }
}
