package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relative paths in relay.yaml resolve against the file's folder, not the working directory. */
class RelayConfigPathsTest {
    @TempDir
    Path dir;

    @Test
    void dataDir_relative_resolvesAgainstTheFilesFolder() throws Exception {
        RelayConfig config = load("dataDir: ../data\n");

        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
    }

    @Test
    void dataDir_unset_isRelayDataNextToTheFile() throws Exception {
        RelayConfig config = load("listen:\n  port: 9443\n");

        assertThat(config.dataDir()).isEqualTo(dir.resolve("conf/relay-data"));
    }

    @Test
    void tlsCertificateAndKey_relative_resolveAgainstTheFilesFolder() throws Exception {
        RelayConfig config = load("tls:\n  certificate: tls/relay.crt\n  key: ../private/relay.key\n");

        assertThat(config.tlsCertificate()).isEqualTo(dir.resolve("conf/tls/relay.crt"));
        assertThat(config.tlsKey()).isEqualTo(dir.resolve("private/relay.key"));
    }

    @Test
    void absolutePaths_areKeptAsWritten() throws Exception {
        RelayConfig config = load("dataDir: /var/lib/wb\ntls:\n  certificate: /etc/wb/relay.crt\n  key: /etc/wb/relay.key\n");

        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/wb"));
        assertThat(config.tlsCertificate()).isEqualTo(Path.of("/etc/wb/relay.crt"));
        assertThat(config.tlsKey()).isEqualTo(Path.of("/etc/wb/relay.key"));
    }

    private RelayConfig load(String yaml) throws Exception {
        Path file = dir.resolve("conf/relay.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return RelayConfigLoader.load(file);
    }
}
