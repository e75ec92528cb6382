package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.relay.OperationsConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's separate metrics listener and the agent's own endpoint ({@code metrics.listen}) with the agent
 * connected: what an on-call engineer scrapes and alerts on.
 */
class RelayMetricsIT {
    @TempDir
    static Path dir;

    static RelayServer relay;
    static Agent agent;
    static String tenantId;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // a short key overlap only makes housekeeping (which re-lists the per-agent rows) run every 500 ms
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                .heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30))
                .keyRotation(Duration.ofDays(180), Duration.ofSeconds(2)).build();
        relay = RelayServer.start(config, OperationsConfig.DEFAULTS.withMetricsListener("127.0.0.1", 0), Clock.systemUTC());
        String[] tenant = Loopback.tenant(relay, "acme");
        tenantId = tenant[0];
        Path state = Loopback.register(relay, tenantId, dir, "agent-1");
        Path yaml = java.nio.file.Files.writeString(state.resolveSibling("agent.yaml"), """
                stateDir: state
                metrics:
                  listen: 127.0.0.1:0
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      ldapPort: 0
                      ldapsPort: 0
                """);
        agent = Agent.start(dev.writeback.agent.AgentConfig.load(yaml));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (relay != null) {
            relay.stop();
        }
    }

    @Test
    void metricsListener_servesAgentCertificateJvmAndBuildMetrics_andReadiness() throws Exception {
        assertThat(relay.metricsPort()).isPositive().isNotEqualTo(relay.port());
        String text = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !text.contains("writeback_agents_connected{tenant=\"" + tenantId + "\"} 1.0")) {
            text = get("/metrics").body();
            Thread.sleep(100);
        }
        assertThat(text).contains("writeback_agents_connected{tenant=\"" + tenantId + "\"} 1.0",
                "writeback_agent_heartbeat_age_seconds{agent=", "name=\"agent-1\"", "writeback_agent_key_version{agent=",
                "writeback_agent_connects_total 1.0", "writeback_agent_disconnects_total{reason=\"connection_lost\"} 0.0",
                "writeback_tls_certificate_expiry_seconds{kind=\"self-signed\"} ", "writeback_tls_certificate_renewals_total 0.0",
                "writeback_build_info{component=\"relay\"", "jvm_memory_used_bytes", "process_uptime_seconds",
                "process_files_open_files", "jvm_gc_max_data_size_bytes");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/status").statusCode()).as("nothing but metrics and probes here").isEqualTo(404);
    }

    @Test
    void agentEndpoint_servesLinkRequestsKeyAndDirectoryMetrics() throws Exception {
        assertThat(agent.metricsPort()).isPositive();
        String text = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !text.contains("writeback_agent_link_up 1.0")) {
            text = get(agent.metricsPort(), "/metrics").body();
            Thread.sleep(100);
        }
        assertThat(text).contains("writeback_agent_link_up 1.0", "writeback_agent_requests_total{result=\"succeeded\"} 0.0",
                "writeback_agent_requests_total{result=\"failed\"} 0.0", "writeback_agent_requests_in_flight 0.0",
                "writeback_agent_key_version 1.0", "writeback_agent_directory_up{directory=\"corp\",type=\"embedded\"} 1.0",
                "writeback_agent_directory_latency_seconds{directory=\"corp\",server=\"127.0.0.1:");
        assertThat(get(agent.metricsPort(), "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void publicPortFalse_servesMetricsOnlyOnTheSeparateListener() throws Exception {
        var config = RelayConfig.builder(dir.resolve("relay-private-metrics")).listen("127.0.0.1", 0).build();
        RelayServer privateMetrics = RelayServer.start(config, OperationsConfig.DEFAULTS
                .withMetricsListener("127.0.0.1", 0).withMetricsOnPublicPort(false), Clock.systemUTC());
        try {
            String[] tenant = Loopback.tenant(privateMetrics, "private");
            var api = new RelayClient(privateMetrics.port(), privateMetrics.fingerprint(), tenant[1]);

            var onPublic = api.get("/metrics");
            var onListener = get(privateMetrics.metricsPort(), "/metrics");

            assertThat(onPublic.status()).isEqualTo(404);
            assertThat(onPublic.text()).doesNotContain("writeback_build_info").contains("metrics listener");
            assertThat(onListener.statusCode()).isEqualTo(200);
            assertThat(onListener.body()).contains("writeback_build_info");
            assertThat(api.get("/healthz").status()).as("the rest of the public port is unchanged").isEqualTo(200);
        } finally {
            privateMetrics.stop();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return get(relay.metricsPort(), path);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
