package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** relay.yaml bound to records: what is read, what is defaulted, and refusals that name the key. */
class RelayConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("relay.yaml"), yaml);
    }

    @Test
    void everySection_isRead() throws Exception {
        var config = RelayConfigLoader.load(write("""
                listen: {address: 0.0.0.0, port: 9443}
                publicHostnames: [relay.example.com]
                agents: {pingInterval: 20s, heartbeatOverdue: 10m, maxInFlight: 64, keyOverlap: 5m}
                requests: {timeout: 10s, maxTimeout: 30s, agentWait: 1s}
                shutdownGrace: 15s
                limits: {maxConnections: 100, maxConnectionsPerAddress: 10, blockingQueue: 50}
                proxies: {trusted: [10.0.0.0/8], protocol: proxy-v1v2}
                """));

        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(9443);
        assertThat(config.publicHostnames()).containsExactly("relay.example.com");
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.heartbeatOverdue()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxInFlight()).isEqualTo(64);
        assertThat(config.keyOverlap()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxRequestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.agentWait()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.limits()).isEqualTo(new RelayLimits(100, 10, 50));
    }

    @Test
    void anEmptyFile_isEveryDefault() throws Exception {
        var config = RelayConfigLoader.load(write(""));
        var defaults = RelayConfig.defaults(dir.resolve("relay-data"));

        assertThat(config.port()).isEqualTo(defaults.port());
        assertThat(config.requestTimeout()).isEqualTo(defaults.requestTimeout());
        assertThat(config.limits()).isEqualTo(RelayLimits.DEFAULTS);
        assertThat(config.dataDir()).isEqualTo(dir.resolve("relay-data"));
    }

    @Test
    void anUnknownKey_isRefused_namingItsPathAndTheKnownOnes() throws Exception {
        Path file = write("listen:\n  prot: 9443\n");
        assertThatThrownBy(() -> RelayConfigLoader.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listen.prot: unknown key").hasMessageContaining("[address, port]")
                .hasMessageStartingWith(file.toString());
    }

    @Test
    void wrongTypes_andBadDurations_nameTheKeyAndWhatWasExpected() throws Exception {
        Path port = write("listen:\n  port: eighty\n");
        assertThatThrownBy(() -> RelayConfigLoader.load(port))
                .hasMessageContaining("listen.port: \"eighty\" (expected: an integer)");

        Path duration = write("requests:\n  timeout: soon\n");
        assertThatThrownBy(() -> RelayConfigLoader.load(duration))
                .hasMessageContaining("requests.timeout: \"soon\" (expected: a duration");

        Path section = write("limits: 5\n");
        assertThatThrownBy(() -> RelayConfigLoader.load(section)).hasMessageContaining("limits:");
    }

    @Test
    void theProxyProtocol_withoutTrustedProxies_isRefused() throws Exception {
        Path file = write("proxies:\n  protocol: proxy-v1v2\n");
        assertThatThrownBy(() -> RelayConfigLoader.load(file)).hasMessageContaining("proxies.protocol: proxy-v1v2 without proxies.trusted");
    }

    @Test
    void theEarlierNameOfAgentWait_isStillRead() throws Exception {
        var config = RelayConfigLoader.load(write("requests:\n  offlineGrace: 3s\n"));
        assertThat(config.agentWait()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void toBuilder_keepsEveryField() throws Exception {
        var config = RelayConfigLoader.load(write("""
                listen: {address: 0.0.0.0, port: 9443}
                publicHostnames: [relay.example.com]
                agents: {pingInterval: 20s, silenceLimit: 50s, heartbeatInterval: 1m, heartbeatOverdue: 10m,
                         maxInFlight: 64, keyRotationInterval: 30d, keyOverlap: 5m, reconnectGrace: 1m, authTimeout: 5s}
                requests: {timeout: 10s, maxTimeout: 30s, agentWait: 1s}
                shutdownGrace: 15s
                limits: {maxConnections: 100, maxConnectionsPerAddress: 10, blockingQueue: 50}
                proxies: {trusted: [10.0.0.0/8]}
                """));

        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config).isNotEqualTo(RelayConfig.defaults(config.dataDir()));
    }

    @Test
    void aStoreSection_isAPostgreSqlStore_withItsPasswordFileBesideTheConfig() throws Exception {
        var config = RelayConfigLoader.load(write("""
                store:
                  url: jdbc:postgresql://db.internal:5432/writeback?sslmode=verify-full
                  username: writeback
                  passwordFile: secrets/pg.pw
                """));

        assertThat(config.store().url()).isEqualTo("jdbc:postgresql://db.internal:5432/writeback?sslmode=verify-full");
        assertThat(config.store().passwordFile()).isEqualTo(dir.resolve("secrets/pg.pw"));
        assertThat(config.store().maxPoolSize()).isEqualTo(dev.writeback.relay.store.StoreSettings.DEFAULT_POOL_SIZE);
        assertThat(config.store().address()).as("no query string in messages").isEqualTo("jdbc:postgresql://db.internal:5432/writeback?…");
        assertThat(RelayConfigLoader.load(write("")).store()).as("no section: SQLite").isNull();
    }

    @Test
    void aStoreSection_thatCannotWork_isRefusedNamingTheKey() throws Exception {
        assertThatThrownBy(() -> RelayConfigLoader.load(write("store: {username: writeback, passwordEnv: PG_PW}\n")))
                .hasMessageContaining("store.url: missing");
        assertThatThrownBy(() -> RelayConfigLoader.load(write("store: {url: 'jdbc:mysql://db/x', username: u, passwordEnv: P}\n")))
                .hasMessageContaining("store.url: jdbc:mysql://db/x (expected: jdbc:postgresql://");
        assertThatThrownBy(() -> RelayConfigLoader.load(write("store: {url: 'jdbc:postgresql://db/x', username: u}\n")))
                .hasMessageContaining("store: no password source");
        assertThatThrownBy(() -> RelayConfigLoader.load(write(
                "store: {url: 'jdbc:postgresql://db/x?password=hunter2', username: u, passwordEnv: P}\n")))
                .hasMessageContaining("store.url: carries a password").hasMessageNotContaining("hunter2");
    }

    @Test
    void aClusterSection_namesTheNatsServers_andNeedsASharedStore() throws Exception {
        var config = RelayConfigLoader.load(write("""
                store: {url: 'jdbc:postgresql://db/writeback', username: writeback, passwordEnv: PG_PW}
                cluster:
                  nodeId: relay-1
                  nats: {urls: ['tls://nats-1:4222', 'tls://nats-2:4222'], username: writeback, passwordFile: nats.pw, caFile: ca.pem}
                """));

        assertThat(config.cluster().nodeId()).isEqualTo("relay-1");
        assertThat(config.cluster().urls()).containsExactly("tls://nats-1:4222", "tls://nats-2:4222");
        assertThat(config.cluster().passwordFile()).isEqualTo(dir.resolve("nats.pw"));
        assertThat(config.cluster().caFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThatThrownBy(() -> RelayConfigLoader.load(write("cluster: {nats: {urls: ['tls://n:4222']}}\n")))
                .hasMessageContaining("cluster: without store.url");
        assertThatThrownBy(() -> RelayConfigLoader.load(write("cluster: {nodeId: x}\n")))
                .hasMessageContaining("cluster.nats.urls: missing");
    }
}
