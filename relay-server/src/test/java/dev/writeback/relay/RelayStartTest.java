package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayStartTest {
    @TempDir
    Path dir;

    @Test
    void start_portInUse_namesAddressAndPort_beforeCreatingAnyFile() throws IOException {
        Path dataDir = dir.resolve("relay-data");
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            var config = RelayConfig.builder(dataDir).listen("127.0.0.1", port).build();

            assertThatThrownBy(() -> RelayServer.start(config))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("listen: 127.0.0.1:" + port + " already in use")
                    .hasMessageContaining("--port");
        }
        assertThat(Files.exists(dataDir)).as("data directory created").isFalse();
    }

    @Test
    void config_crossFieldErrors_useTheDocumentedKeysAndDurations() {
        assertThatThrownBy(() -> RelayConfig.builder(dir).pingInterval(Duration.ofSeconds(30))
                .silenceLimit(Duration.ofSeconds(45)).build())
                .hasMessage("agents.silenceLimit: 45s (expected: >= 2 x agents.pingInterval 30s)");
        assertThatThrownBy(() -> RelayConfig.builder(dir).requestTimeout(Duration.ofSeconds(90))
                .maxRequestTimeout(Duration.ofSeconds(60)).build())
                .hasMessage("requests.timeout: 90s (expected: <= requests.maxTimeout 1m)");
        assertThatThrownBy(() -> RelayConfig.builder(dir).agentWait(Duration.ofSeconds(-1)).build())
                .hasMessage("requests.agentWait: -1s (expected: >= 0s)");
    }
}
