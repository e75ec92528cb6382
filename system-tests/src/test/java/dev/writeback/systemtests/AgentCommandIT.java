package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.AgentCommand;
import dev.writeback.relay.RelayServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent register} against a real relay, from the command line: success, and each way it can fail. */
class AgentCommandIT {
    @TempDir
    static Path dir;

    static RelayServer relay;
    static String tenantId;

    @BeforeAll
    static void start() throws Exception {
        relay = Loopback.relay(dir);
        tenantId = Loopback.tenant(relay, "cli")[0];
    }

    @AfterAll
    static void stop() {
        relay.stop();
    }

    @Test
    void register_writesAnOwnerOnlyStateDirectory() throws Exception {
        Path state = dir.resolve("ok");
        var run = register(token(), state, relay.fingerprint());

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).contains("Registered agent");
        assertThat(Files.getPosixFilePermissions(state)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        }
        assertThat(state.resolve("agent.json")).exists();
        assertThat(state.resolve("identity.key")).exists();
        assertThat(state.resolve("keys/v1.rsa")).exists();
        assertThat(state.resolve("keys/v1.wrapped")).exists();
    }

    @Test
    void register_withTheWrongFingerprint_failsNamingBothFingerprints_andLeavesNothing() {
        Path state = dir.resolve("wrong-pin");
        String wrong = "SHA256:" + "AB:".repeat(31) + "AB";
        var run = register(token(), state, wrong);

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains(relay.fingerprint()).contains(wrong).contains("--trust-fingerprint");
        assertThat(state).doesNotExist();
    }

    @Test
    void register_withAUsedToken_isRefused_andLeavesNothing() {
        String token = token();
        assertThat(register(token, dir.resolve("first"), relay.fingerprint()).code).isZero();

        Path state = dir.resolve("second");
        var run = register(token, state, relay.fingerprint());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("HTTP 401").doesNotContain(token);
        assertThat(state).doesNotExist();
    }

    @Test
    void register_intoAnExistingRegistration_isRefused() {
        Path state = dir.resolve("twice");
        assertThat(register(token(), state, relay.fingerprint()).code).isZero();

        var run = register(token(), state, relay.fingerprint());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("already holds a registration");
    }

    @Test
    void register_withoutAToken_isAUsageError() {
        var run = execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--state-dir", dir.resolve("none").toString());

        assertThat(run.code).isEqualTo(2);
        assertThat(run.output).contains("--token: missing");
    }

    @Test
    void register_relayDown_failsNamingHostAndPort() throws Exception {
        int closed = Loopback.freePort();
        var run = execute("register", "--relay", "https://127.0.0.1:" + closed, "--token", token(), "--state-dir",
                dir.resolve("down").toString(), "--trust-fingerprint", relay.fingerprint());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("relay 127.0.0.1:" + closed + " unreachable");
    }

    @Test
    void register_missingTokenFile_isAUsageErrorNamingIt() {
        Path missing = dir.resolve("no-such-token");
        var run = execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token-file", missing.toString(),
                "--state-dir", dir.resolve("no-token-file").toString());

        assertThat(run.code).isEqualTo(2);
        assertThat(run.output).contains("--token-file: " + missing);
    }

    @Test
    void doctor_withTheRelayUp_connectsChecksThePinAndAuthenticates() throws Exception {
        Path yaml = doctorConfig("doctor-ok", "");

        var run = execute("doctor", "--config", yaml.toString());

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).contains("OK   relay connect 127.0.0.1:" + relay.port(), "OK   relay certificate TLSv1.3",
                "pinned " + relay.fingerprint(), "OK   relay authentication agent=", "(HELLO, AUTH, READY)");
    }

    @Test
    void doctor_relayUnreachable_failsNamingTheUrl() throws Exception {
        int closed = Loopback.freePort();
        Path yaml = doctorConfig("doctor-down", "relay:\n  url: https://127.0.0.1:" + closed + "\n");

        var run = execute("doctor", "--config", yaml.toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("FAIL relay connect https://127.0.0.1:" + closed + " unreachable")
                .doesNotContain("OK   relay certificate");
    }

    @Test
    void doctor_wrongPin_failsWithTheHintToRePin() throws Exception {
        Path yaml = doctorConfig("doctor-pin", "");
        Path agentJson = yaml.resolveSibling("state").resolve("agent.json");
        String wrong = "SHA256:" + "AB:".repeat(31) + "AB";
        Files.writeString(agentJson, Files.readString(agentJson).replace(relay.fingerprint(), wrong));

        var run = execute("doctor", "--config", yaml.toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("OK   relay connect", "FAIL relay certificate https://127.0.0.1:" + relay.port(),
                relay.fingerprint(), wrong, "re-pin: agent trust --config agent.yaml --fingerprint")
                .doesNotContain("relay authentication");
    }

    @Test
    void trust_rePinsWithoutRegisteringAgain_afterCheckingTheNewPin() throws Exception {
        Path yaml = doctorConfig("trust", "");
        Path agentJson = yaml.resolveSibling("state").resolve("agent.json");
        String wrong = "SHA256:" + "CD:".repeat(31) + "CD";
        Files.writeString(agentJson, Files.readString(agentJson).replace(relay.fingerprint(), wrong));
        String agentId = dev.writeback.agent.AgentState.load(yaml.resolveSibling("state")).agentId();

        var refused = execute("trust", "--config", yaml.toString(), "--fingerprint", "SHA256:" + "EF:".repeat(31) + "EF");
        assertThat(refused.code).as(refused.output).isEqualTo(1);
        assertThat(refused.output).contains("FAIL relay certificate", "Not saved");
        assertThat(Files.readString(agentJson)).contains(wrong);

        var fixed = execute("trust", "--config", yaml.toString(), "--fingerprint", relay.fingerprint());
        assertThat(fixed.code).as(fixed.output).isZero();
        assertThat(fixed.output).contains("OK   relay authentication", "Saved: the agent trusts the relay by pinned "
                + relay.fingerprint());
        var state = dev.writeback.agent.AgentState.load(yaml.resolveSibling("state"));
        assertThat(state.trustFingerprint()).isEqualTo(relay.fingerprint());
        assertThat(state.agentId()).as("same registration").isEqualTo(agentId);
        assertThat(execute("doctor", "--config", yaml.toString()).code).isZero();
    }

    @Test
    void trust_acceptsAPinOfTheCertificateItself_forPinsTakenBeforeKeyPinning() throws Exception {
        Path yaml = doctorConfig("trust-legacy", "");

        var run = execute("trust", "--config", yaml.toString(), "--fingerprint", relay.certificateFingerprint());

        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).contains("OK   relay authentication");
    }

    @Test
    void doctor_deletedAgent_failsAuthentication() throws Exception {
        Path yaml = doctorConfig("doctor-deleted", "");
        String agentId = dev.writeback.agent.AgentState.load(yaml.resolveSibling("state")).agentId();
        relay.store().deleteAgent(agentId);

        var run = execute("doctor", "--config", yaml.toString());

        assertThat(run.code).isEqualTo(1);
        assertThat(run.output).contains("OK   relay certificate", "FAIL relay authentication");
    }

    /** Registers an agent under {@code dir/name} and writes its agent.yaml with an embedded directory. */
    private static Path doctorConfig(String name, String relayYaml) throws Exception {
        Path state = dir.resolve(name).resolve("state");
        assertThat(register(token(), state, relay.fingerprint()).code).isZero();
        Path yaml = state.resolveSibling("agent.yaml");
        Files.writeString(yaml, "stateDir: state\n" + relayYaml + """
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      ldapPort: 0
                      ldapsPort: 0
                """);
        return yaml;
    }

    private static String token() {
        return relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
    }

    private static Run register(String token, Path state, String fingerprint) {
        return execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token", token, "--name", "cli",
                "--state-dir", state.toString(), "--trust-fingerprint", fingerprint);
    }

    private static Run execute(String... args) {
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        return new Run(code, out.toString());
    }

    private record Run(int code, String output) {}
}
