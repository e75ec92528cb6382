package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive keepalive against a middlebox that cuts connections idle for more than 4 s. The agent starts at a
 * 6 s ping (±20 %, so 4.8–7.2 s), loses its first connection to the cut, logs AGT-120, halves to 3 s, reconnects,
 * and from then on its pings keep the connection alive. Then the middlebox freezes the connection (no FIN, no bytes)
 * and the agent's dead-peer timeout (8 s) replaces it.
 */
class KeepAliveIT {
    static final Duration IDLE_CUT = Duration.ofSeconds(4);

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static RelayServer relay;
    static CuttingProxy proxy;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        // Heartbeats every 5 minutes: nothing but the keepalive crosses the link while the test watches it.
        relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0).build());
        String[] tenant = Loopback.tenant(relay, "acme");
        Path state = Loopback.register(relay, tenant[0], dir, "agent-1");
        proxy = new CuttingProxy(relay.port(), IDLE_CUT);
        Path yaml = SharedDirectory.writeConfig(state, """
                url: https://127.0.0.1:%d
                keepAlive:
                  interval: 6s
                  floor: 2s
                  idleGap: 2s
                deadPeerTimeout: 8s
                """.formatted(proxy.port()), """
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      ldapPort: 0
                      ldapsPort: 0
                """);
        Files.writeString(yaml, Files.readString(yaml).replace("heartbeatInterval: 2s\n", ""));
        agent = Agent.start(AgentConfig.load(yaml));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            if (relay != null) {
                relay.stop();
            }
        } finally {
            logs.close();
        }
    }

    @Test
    void idleCuts_lowerTheInterval_thenTheLinkStaysUp_andAFrozenPeerIsReplaced() {
        Await.until("the first connection", Duration.ofSeconds(20), () -> agent.link().connected());
        assertThat(agent.link().keepAliveInterval()).isEqualTo(Duration.ofSeconds(6));

        Await.until("the proxy to cut the idle connection", Duration.ofSeconds(20), () -> proxy.cuts() >= 1);
        long cutAt = System.nanoTime();
        Await.until("AGT-120", Duration.ofSeconds(5), () -> logs.contains("AGT-120 keepalive interval lowered 6000ms -> 3000ms"));
        Await.until("the agent to reconnect", Duration.ofSeconds(10), () -> agent.link().connected());
        Duration reconnect = Duration.ofNanos(System.nanoTime() - cutAt);
        assertThat(logs.text()).contains("AGT-111 disconnected from relay");
        assertThat(agent.link().keepAliveInterval()).isEqualTo(Duration.ofSeconds(3));

        int cuts = proxy.cuts();
        int connections = proxy.accepted();
        long watchFrom = System.nanoTime();
        // One idle limit and a second: the ping rhythm itself is LinkHandlerTest's (fake time); this proves that
        // the pings cross a real middlebox and reset its idle timer.
        Await.until("an idle limit with the lower interval", Duration.ofSeconds(30),
                () -> System.nanoTime() - watchFrom > IDLE_CUT.plusSeconds(1).toNanos() || proxy.cuts() > cuts);
        assertThat(proxy.cuts()).as("no cut while pinging every 3 s").isEqualTo(cuts);
        assertThat(proxy.accepted()).as("the same connection").isEqualTo(connections);
        assertThat(agent.link().connected()).isTrue();

        proxy.freezeOpenConnections();
        long frozenAt = System.nanoTime();
        Await.until("AGT-130 dead peer", Duration.ofSeconds(20), () -> logs.contains("AGT-130"));
        Duration detected = Duration.ofNanos(System.nanoTime() - frozenAt);
        Await.until("a new connection", Duration.ofSeconds(10), () -> proxy.accepted() > connections && agent.link().connected());

        // 8 s after the last byte from the relay, which was a pong at most one ping interval (3.6 s) before the freeze
        assertThat(detected).isBetween(Duration.ofMillis(4_000), Duration.ofSeconds(10));
        System.out.printf("keepalive: reconnect after idle cut %d ms; frozen peer detected after %d ms%n",
                reconnect.toMillis(), detected.toMillis());
    }
}
