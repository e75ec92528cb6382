package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.relay.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent reaches the relay only through a real HTTP CONNECT proxy with basic auth: tinyproxy on loopback, allowed
 * to CONNECT to the relay's port and nothing else. Install it with {@code system-tests/proxy/install-proxy.sh}.
 */
class CorporateProxyIT {
    static final String USER = "corp-user";
    static final String PASSWORD = "Proxy-Pass-7319";
    static final String WRONG = "Not-The-Proxy-Pass-1";

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static RelayServer relay;
    static Process tinyproxy;
    static Path proxyLog;
    static int proxyPort;
    static String tenantId;
    static RelayClient api;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = List.of("/usr/bin/tinyproxy", "/usr/sbin/tinyproxy", "/usr/local/bin/tinyproxy").stream()
                .map(Path::of).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(binary.isPresent(), "tinyproxy is not installed (run system-tests/proxy/install-proxy.sh)");
        logs = new CapturedLogs();
        relay = Loopback.relay(dir);
        String[] tenant = Loopback.tenant(relay, "acme");
        tenantId = tenant[0];
        api = new RelayClient(relay.port(), relay.fingerprint(), tenant[1]);
        proxyPort = Loopback.freePort();
        proxyLog = dir.resolve("tinyproxy.log");
        Path conf = dir.resolve("tinyproxy.conf");
        Files.writeString(conf, String.join("\n",
                "Port " + proxyPort,
                "Listen 127.0.0.1",
                "Timeout 600",
                "LogFile \"" + proxyLog + "\"",
                "LogLevel Info",
                "MaxClients 20",
                "Allow 127.0.0.1",
                "BasicAuth " + USER + " " + PASSWORD,
                "ConnectPort " + relay.port(),
                ""));
        tinyproxy = new ProcessBuilder(binary.get().toString(), "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("tinyproxy.out").toFile()).start();
        Await.until("tinyproxy to listen", Duration.ofSeconds(10), () -> listening(proxyPort) || !tinyproxy.isAlive());
        assertThat(tinyproxy.isAlive()).as("tinyproxy started: " + read(dir.resolve("tinyproxy.out"))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (relay != null) {
                relay.stop();
            }
            if (tinyproxy != null) {
                tinyproxy.destroy();
                if (!tinyproxy.waitFor(5, TimeUnit.SECONDS)) {
                    tinyproxy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (logs != null) {
                logs.close();
            }
        }
    }

    @Test
    void reset_throughTheProxy_succeeds_andTheProxyLoggedTheConnect() throws Exception {
        Path state = Loopback.register(relay, tenantId, dir, "behind-proxy");
        try (Agent agent = agentVia(state, PASSWORD)) {
            agent.link().firstReady().get(30, TimeUnit.SECONDS);

            var r = api.post("/api/v1/writeback/password-reset", "{\"anchor\":\"sam:ada\",\"newPassword\":\"Proxied-Reset-42\"}");

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.result()).isEqualTo("SUCCESS");
        }
        assertThat(read(proxyLog)).contains("CONNECT 127.0.0.1:" + relay.port());
        assertThat(logs.text()).contains("via proxy").doesNotContain(PASSWORD);
    }

    @Test
    void wrongProxyPassword_failsWithAClearLine_andNeverConnects() throws Exception {
        Path state = Loopback.register(relay, tenantId, dir, "wrong-proxy-password");
        try (Agent agent = agentVia(state, WRONG)) {
            Await.until("AGT-113", Duration.ofSeconds(20), () -> logs.contains("AGT-113 proxy"));

            assertThat(agent.link().connected()).isFalse();
        }
        assertThat(logs.text()).contains("refused the credentials of user " + USER)
                .doesNotContain(WRONG);
    }

    @Test
    void register_throughTheProxy_withBasicAuth_andTheTokenFromAFile() throws Exception {
        Path home = dir.resolve("register-via-proxy");
        Files.createDirectories(home);
        Path tokenFile = home.resolve("token");
        String token = relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
        Files.writeString(tokenFile, token + "\n");
        Path passwordFile = home.resolve("proxy.pw");
        Files.writeString(passwordFile, PASSWORD + "\n");
        Files.writeString(passwordFile.resolveSibling("wrong.pw"), WRONG + "\n");

        var refused = register(home.resolve("refused"), tokenFile, passwordFile.resolveSibling("wrong.pw"));
        var run = register(home.resolve("state"), tokenFile, passwordFile);

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.output()).contains("proxy 127.0.0.1:" + proxyPort + " refused the credentials of user " + USER)
                .doesNotContain(WRONG);
        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.output()).contains("Registered agent", "through proxy 127.0.0.1:" + proxyPort)
                .doesNotContain(token, PASSWORD);
        assertThat(read(proxyLog)).contains("CONNECT 127.0.0.1:" + relay.port());
    }

    private record Run(int code, String output) {}

    private static Run register(Path state, Path tokenFile, Path passwordFile) {
        var out = new java.io.StringWriter();
        var cl = dev.writeback.agent.AgentCommand.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(out, true));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token-file", tokenFile.toString(),
                "--name", "via-proxy", "--state-dir", state.toString(), "--trust-fingerprint", relay.fingerprint(),
                "--proxy", "http://127.0.0.1:" + proxyPort, "--proxy-user", USER, "--proxy-password-file",
                passwordFile.toString());
        return new Run(code, out.toString());
    }

    private static Agent agentVia(Path state, String password) throws Exception {
        Path passwordFile = state.getParent().resolve("proxy.pw");
        Files.writeString(passwordFile, password + "\n");
        Path yaml = SharedDirectory.writeConfig(state, """
                proxy:
                  url: http://127.0.0.1:%d
                  username: %s
                  passwordFile: %s
                """.formatted(proxyPort, USER, passwordFile), """
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      ldapPort: 0
                      ldapsPort: 0
                """);
        return Agent.start(AgentConfig.load(yaml));
    }

    private static boolean listening(int port) {
        try (var s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

}
