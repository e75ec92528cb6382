package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code metrics:} block of relay.yaml: where /metrics is served. */
class OperationsConfigTest {
    @TempDir
    Path dir;

    private OperationsConfig load(String metrics) throws Exception {
        Path file = Files.writeString(dir.resolve("relay.yaml"), "metrics:\n" + metrics);
        return RelayConfigLoader.operations(file);
    }

    @Test
    void byDefault_thePublicPortServesMetrics() throws Exception {
        OperationsConfig c = load("  port: 9465\n");

        assertThat(c.metricsOnPublicPort()).isTrue();
        assertThat(c.metricsAddress()).isNull();
    }

    @Test
    void publicPortFalse_withTheSeparateListener_isRead() throws Exception {
        OperationsConfig c = load("  address: 10.0.0.5\n  port: 9465\n  publicPort: false\n");

        assertThat(c.metricsOnPublicPort()).isFalse();
        assertThat(c.metricsAddress()).isEqualTo("10.0.0.5");
        assertThat(c.metricsPort()).isEqualTo(9465);
    }

    @Test
    void publicPortFalse_withoutTheSeparateListener_isRefused_namingBothKeys() {
        assertThatThrownBy(() -> load("  publicPort: false\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("metrics.publicPort: false").hasMessageContaining("metrics.address");
    }

    @Test
    void publicPortThatIsNotABoolean_isRefused() {
        assertThatThrownBy(() -> load("  address: 127.0.0.1\n  publicPort: maybe\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metrics.publicPort: \"maybe\"")
                .hasMessageContaining("true or false");
    }
}
