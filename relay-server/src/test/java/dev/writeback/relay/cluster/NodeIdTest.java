package dev.writeback.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdTest {
    @TempDir
    Path dataDir;

    @Test
    void withoutAConfiguredId_oneIsGeneratedOnce_andKeptInTheDataDirectory() throws Exception {
        String first = NodeId.resolve(null, dataDir);

        assertThat(first).matches("node-[0-9a-f]{12}");
        assertThat(NodeId.resolve(null, dataDir)).as("the same after a restart").isEqualTo(first);
        assertThat(Files.readString(dataDir.resolve(NodeId.FILE)).strip()).isEqualTo(first);
        assertThat(NodeId.resolve(null, Files.createDirectories(dataDir.resolve("other")))).isNotEqualTo(first);
    }

    @Test
    void aConfiguredId_wins() throws Exception {
        assertThat(NodeId.resolve("relay-eu-1", dataDir)).isEqualTo("relay-eu-1");
        assertThat(Files.exists(dataDir.resolve(NodeId.FILE))).isFalse();
    }

    @Test
    void settingsThatCannotWork_areRefusedNamingTheKey() {
        assertThatThrownBy(() -> new ClusterSettings(null, List.of(), null, null, null, null))
                .hasMessageContaining("cluster.nats.urls: empty");
        assertThatThrownBy(() -> new ClusterSettings(null, List.of("nats://nats.internal:4222"), null, null, null, null))
                .hasMessageContaining("expected: tls://host:port");
        assertThatThrownBy(() -> new ClusterSettings("bad id!", List.of("tls://n:4222"), null, null, null, null))
                .hasMessageContaining("cluster.nodeId: bad id!");
        assertThatThrownBy(() -> new ClusterSettings(null, List.of("tls://n:4222"), "writeback", null, null, null))
                .hasMessageContaining("username without passwordFile or passwordEnv");
        assertThat(new ClusterSettings(null, List.of("tls://n:4222"), "writeback", null, "NATS_PW", null).toString())
                .doesNotContain("NATS_PW=");
    }
}
