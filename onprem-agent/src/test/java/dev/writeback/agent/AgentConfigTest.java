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

    private static final String AD = """
            directories:
              - name: corp
                type: active-directory
                urls: [ldaps://dc1.corp.example:636]
                bindDn: CN=svc,DC=corp,DC=example
                bindPasswordFile: %s
                trustCaFile: %s
                baseDn: DC=corp,DC=example
            """;

    @Test
    void stateDir_relative_resolvesAgainstTheFilesFolder() throws Exception {
        var config = loadIn("conf", "stateDir: ../state\n" + DIRECTORY);

        assertThat(config.stateDir()).isEqualTo(dir.resolve("state"));
    }

    @Test
    void bindPasswordFile_relative_resolvesAgainstTheFilesFolder() throws Exception {
        var config = loadIn("conf", "stateDir: state\n" + AD.formatted("secrets/bind.pw", "/etc/ca.pem"));

        assertThat(config.directories().get(0).bindPasswordFile()).isEqualTo(dir.resolve("conf/secrets/bind.pw").toString());
    }

    @Test
    void trustCaFile_relative_resolvesAgainstTheFilesFolder() throws Exception {
        var config = loadIn("conf", "stateDir: state\n" + AD.formatted("/etc/bind.pw", "../pki/dc-ca.pem"));

        assertThat(config.directories().get(0).trustCaFile()).isEqualTo(dir.resolve("pki/dc-ca.pem").toString());
    }

    @Test
    void absolutePaths_areKeptAsWritten() throws Exception {
        var config = loadIn("conf", "stateDir: /var/lib/wb\n" + AD.formatted("/etc/bind.pw", "/etc/ca.pem"));

        assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/wb"));
        assertThat(config.directories().get(0).bindPasswordFile()).isEqualTo("/etc/bind.pw");
        assertThat(config.directories().get(0).trustCaFile()).isEqualTo("/etc/ca.pem");
    }

    @Test
    void embeddedSeedLdifAndDataDir_relative_resolveAgainstTheFilesFolder() throws Exception {
        var config = loadIn("conf", "stateDir: state\n" + DIRECTORY + "    embedded:\n      seedLdif: users.ldif\n"
                + "      dataDir: data/embedded\n");

        var embedded = config.directories().get(0).embedded();
        assertThat(embedded.seedLdif()).isEqualTo(dir.resolve("conf/users.ldif").toString());
        assertThat(embedded.dataDirIn(config.stateDir())).isEqualTo(dir.resolve("conf/data/embedded"));
    }

    @Test
    void embeddedDataDir_unset_isInsideTheStateDirectory() throws Exception {
        var config = loadIn("conf", "stateDir: state\n" + DIRECTORY);

        assertThat(config.directories().get(0).embedded().dataDirIn(config.stateDir()))
                .isEqualTo(dir.resolve("conf/state/embedded-directory"));
    }

    @Test
    void embeddedDataDir_dataLeftInsideTheStateDirectory_isRefusedNamingBothPlaces() throws Exception {
        Files.createDirectories(dir.resolve("conf/state/embedded-directory"));

        assertThatThrownBy(() -> loadIn("conf", "stateDir: state\n" + DIRECTORY
                + "    embedded:\n      dataDir: embedded-directory\n"))
                .hasMessageContaining("directories[0].embedded.dataDir: embedded-directory is now "
                        + dir.resolve("conf/embedded-directory"))
                .hasMessageContaining("the data is in " + dir.resolve("conf/state/embedded-directory"));
    }

    @Test
    void proxyPasswordFile_relative_resolvesAgainstTheFilesFolder() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/proxy.pw"), "s3cret\n");
        var config = loadIn("conf", "stateDir: state\nrelay:\n  proxy:\n    url: http://proxy.corp.example:3128\n"
                + "    username: wb\n    passwordFile: proxy.pw\n" + DIRECTORY);

        assertThat(config.relay().proxy().passwordFile()).isEqualTo(dir.resolve("conf/proxy.pw").toString());
        assertThat(config.proxyPassword(java.util.Map.of())).containsExactly('s', '3', 'c', 'r', 'e', 't');
    }

    @Test
    void relayLinks_defaultsToTwo_andIsBounded() throws Exception {
        assertThat(loadIn("conf", "stateDir: state\n" + DIRECTORY).relay().linkCount()).isEqualTo(2);
        assertThat(loadIn("conf", "stateDir: state\nrelay:\n  links: 3\n" + DIRECTORY).relay().linkCount()).isEqualTo(3);
        assertThatThrownBy(() -> loadIn("conf", "stateDir: state\nrelay:\n  links: 0\n" + DIRECTORY))
                .hasMessageContaining("relay.links: 0 (expected: 1..8)");
    }

    @Test
    void lookupMapping_fromTheFile_isKept() throws Exception {
        var config = loadIn("conf", "stateDir: state\n" + AD.formatted("bind.pw", "ca.pem") + """
                    lookup:
                      match: [mail]
                      mail: otherMailbox
                      mobile: pager
                """);

        var lookup = config.directories().get(0).lookup();
        assertThat(lookup.match()).containsExactly("mail");
        assertThat(lookup.mail()).isEqualTo("otherMailbox");
        assertThat(lookup.mobile()).isEqualTo("pager");
        assertThat(config.directories().get(0).trustCaFile()).isEqualTo(dir.resolve("conf/ca.pem").toString());
    }

    private AgentConfig loadIn(String folder, String yaml) throws Exception {
        Path file = dir.resolve(folder).resolve("agent.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return AgentConfig.load(file);
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

    @Test
    void hashSync_sourceDefaults_areEmbeddedForTheEmbeddedDirectory_andWritebackForAd() throws Exception {
        assertThat(load("stateDir: state\n" + DIRECTORY + "hashSync:\n  directory: corp\n").hashSync())
                .isEqualTo(new AgentConfig.HashSync("corp", "embedded"));
        assertThat(load("stateDir: state\n" + AD.formatted("/etc/bind.pw", "/etc/ca.pem") + "hashSync:\n  directory: corp\n")
                .hashSync()).isEqualTo(new AgentConfig.HashSync("corp", "writeback"));
    }

    @Test
    void hashSync_samba_takesItsDefaults_andAConfigFileRelativeToTheFile() throws Exception {
        String ad = AD.formatted("/etc/bind.pw", "/etc/ca.pem");
        var defaults = load("stateDir: state\n" + ad + "hashSync:\n  directory: corp\n  source: samba\n").hashSync();
        assertThat(defaults.samba()).isEqualTo(AgentConfig.Samba.DEFAULTS);

        Files.createDirectories(dir.resolve("conf/samba"));
        Files.writeString(dir.resolve("conf/samba/smb.conf"), "[global]\n");
        var set = loadIn("conf", "stateDir: state\n" + ad
                + "hashSync:\n  directory: corp\n  source: samba\n  samba:\n    configFile: samba/smb.conf\n"
                + "    command: [sudo, -n, samba-tool]\n    timeout: 30m\n").hashSync();
        assertThat(set.samba().configFile()).isEqualTo(dir.resolve("conf/samba/smb.conf").toString());
        assertThat(set.samba().command()).containsExactly("sudo", "-n", "samba-tool");
        assertThat(set.samba().timeout()).hasMinutes(30);
    }

    @Test
    void hashSync_samba_misconfigured_failsNamingTheKey() throws Exception {
        String ad = AD.formatted("/etc/bind.pw", "/etc/ca.pem");
        assertThatThrownBy(() -> load("stateDir: state\n" + DIRECTORY + "hashSync:\n  directory: corp\n  source: samba\n"))
                .hasMessageContaining("hashSync.source: samba, but directory corp is the embedded directory");
        assertThatThrownBy(() -> load("stateDir: state\n" + ad + "hashSync:\n  directory: corp\n  samba:\n    timeout: 1m\n"))
                .hasMessageContaining("hashSync.samba: set, but hashSync.source is writeback");
        assertThatThrownBy(() -> load("stateDir: state\n" + ad
                + "hashSync:\n  directory: corp\n  source: samba\n  samba:\n    configFile: /nowhere/smb.conf\n"))
                .hasMessageContaining("hashSync.samba.configFile: /nowhere/smb.conf: not found");
        assertThatThrownBy(() -> load("stateDir: state\n" + ad + "hashSync:\n  directory: corp\n  source: ntds\n"))
                .hasMessageContaining("hashSync.source: ntds (expected: one of [embedded, samba, writeback])");
    }

    private AgentConfig load(String yaml) throws Exception {
        Path file = dir.resolve("agent.yaml");
        Files.writeString(file, yaml);
        return AgentConfig.load(file);
    }
}
