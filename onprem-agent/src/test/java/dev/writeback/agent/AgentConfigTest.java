package dev.writeback.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.agent.link.InFlightLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    private static final String DIRECTORY = """
            directories:
              - name: corp
                type: embedded
            """;

    @TempDir
    Path dir;

    @Test
    void limits_default_to256RequestsAnd4MiB() throws Exception {
        var config = load("stateDir: state\n" + DIRECTORY);

        assertThat(config.limits()).isEqualTo(new InFlightLimits(256, 4L << 20));
    }

    @Test
    void limits_areRead() throws Exception {
        var config = load("stateDir: state\nlimits:\n  maxInFlight: 32\n  maxInFlightBytes: 1048576\n" + DIRECTORY);

        assertThat(config.limits()).isEqualTo(new InFlightLimits(32, 1 << 20));
    }

    @Test
    void limits_outOfRange_failNamingTheKey() throws Exception {
        assertThatThrownBy(() -> load("stateDir: state\nlimits:\n  maxInFlight: 0\n" + DIRECTORY))
                .hasMessageEndingWith("limits.maxInFlight: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> load("stateDir: state\nlimits:\n  maxInFlightBytes: 1000\n" + DIRECTORY))
                .hasMessageEndingWith("limits.maxInFlightBytes: 1000 (expected: 65536..1073741824)");
    }

    @Test
    void metricsListen_isOffByDefault_andReadAsHostAndPort() throws Exception {
        assertThat(load("stateDir: state\n" + DIRECTORY).metricsListen()).isNull();

        var config = load("stateDir: state\nmetrics:\n  listen: 127.0.0.1:9464\n" + DIRECTORY);

        assertThat(config.metricsListen().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.metricsListen().getPort()).isEqualTo(9464);
        assertThat(load("stateDir: state\nmetrics:\n  listen: \"[::1]:9464\"\n" + DIRECTORY).metricsListen().getHostString())
                .isEqualTo("::1");
    }

    @Test
    void metricsListen_withoutAPort_failsNamingTheKey() {
        assertThatThrownBy(() -> load("stateDir: state\nmetrics:\n  listen: localhost\n" + DIRECTORY))
                .hasMessageEndingWith("metrics.listen: localhost (expected: host:port on this machine, e.g. 127.0.0.1:9464)");
    }

    private AgentConfig load(String yaml) throws Exception {
        Path file = dir.resolve("agent.yaml");
        Files.writeString(file, yaml);
        return AgentConfig.load(file);
    }
}
