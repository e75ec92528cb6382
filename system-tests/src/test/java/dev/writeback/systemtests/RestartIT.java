package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentCommand;
import dev.writeback.agent.AgentConfig;
import dev.writeback.agent.AgentState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts with real processes from the built distributions: a relay stopped with SIGTERM (GOAWAY, in-flight work
 * finishes), a relay killed with SIGKILL and started again on the same port and data directory (agents come back
 * within the backoff cap, without registering again; one killed right after a COMMIT leaves that operation's audit
 * record behind as COMMITTING), and an agent process killed with SIGKILL while a reset is
 * inside the directory (the caller gets OUTCOME_UNKNOWN at once, not a hang). The directory sits behind an LDAP
 * proxy that holds password writes, so each kill lands between ACCEPTED and RESULT without sleeping.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartIT {
    static final Duration BACKOFF_CAP = Duration.ofSeconds(30);
    static final Pattern FINGERPRINT = Pattern.compile("key pin (SHA256:[0-9A-Fa-f:]+)");

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static SharedDirectory directory;
    static StallingLdapProxy ldap;
    static int relayPort;
    static Path relayYaml;
    static Distribution.Running relay;
    static int relayRuns;
    static String fingerprint;
    static String apiToken;
    static Agent inJvm;
    static String inJvmId;
    static Path processAgentState;
    static Distribution.Running processAgent;

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        directory = SharedDirectory.start(dir.resolve("shared"));
        ldap = new StallingLdapProxy(directory.ldapsPort(), directory.directory.dataDir().resolve("tls.p12"),
                "embedded-directory".toCharArray());
        relayPort = Loopback.freePort();
        relayYaml = dir.resolve("relay.yaml");
        Files.writeString(relayYaml, """
                dataDir: relay-data
                listen:
                  address: 127.0.0.1
                  port: %d
                agents:
                  heartbeatInterval: 2s
                requests:
                  timeout: 10s
                shutdownGrace: 15s
                """.formatted(relayPort));
        String created = Distribution.run(Duration.ofSeconds(60), Distribution.relayLauncher().toString(), "tenant", "create", "--init",
                "--data-dir", dir.resolve("relay-data").toString(), "acme");
        String token = created.lines().filter(l -> l.startsWith("api-token: ")).findFirst().orElseThrow().substring(11);
        startRelay();
        apiToken = token;

        Path state = register("in-jvm");
        inJvm = Agent.start(AgentConfig.load(SharedDirectory.writeConfig(state, "", directory.yaml(ldap.url()))));
        inJvmId = AgentState.load(state).agentId();
        inJvm.link().firstReady().get(30, TimeUnit.SECONDS);
        processAgentState = register("process");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            printLogs();
            if (ldap != null) {
                ldap.release();
            }
            if (processAgent != null) {
                processAgent.close();
            }
            if (inJvm != null) {
                inJvm.close();
            }
            if (relay != null) {
                relay.close();
            }
            if (ldap != null) {
                ldap.close();
            }
            if (directory != null) {
                directory.close();
            }
        } finally {
            logs.close();
        }
    }

    @Test
    @Order(1)
    void relayStopped_sendsGoaway_letsTheInFlightResetFinish_andTheAgentMovesToTheNextRelay() throws Exception {
        ldap.stall();
        int seen = ldap.modifiesSeen();
        var inFlight = CompletableFuture.supplyAsync(() -> reset("ada"));
        Await.until("the reset to be inside the directory", Duration.ofSeconds(20), () -> ldap.modifiesSeen() > seen);

        relay.process.destroy();   // SIGTERM: the shutdown hook stops the relay gracefully
        Await.until("AGT-150 GOAWAY at the agent", Duration.ofSeconds(10), () -> logs.contains("AGT-150 relay asked to reconnect"));
        ldap.release();
        var r = inFlight.get(30, TimeUnit.SECONDS);

        assertThat(r.result()).as(r.text()).isEqualTo("SUCCESS");
        assertThat(relay.process.waitFor(30, TimeUnit.SECONDS)).as("relay exited").isTrue();
        assertThat(relay.output()).contains("RLY-090 relay stopping").contains("RLY-099 relay stopped");

        Duration back = restartAndMeasureReconnect();
        assertThat(back).isLessThan(BACKOFF_CAP.plusSeconds(2));
        assertThat(reset("grace").result()).isEqualTo("SUCCESS");
        System.out.printf("restart: graceful stop, agent back %d ms after the next relay listened%n", back.toMillis());
    }

    @Test
    @Order(2)
    void relayKilledRightAfterCommit_leavesTheOperationsAuditRecord_asCommitting() throws Exception {
        ldap.stall();
        int seen = ldap.modifiesSeen();
        var inFlight = CompletableFuture.supplyAsync(() -> reset("grace"));
        // The agent writes to the directory only after reading COMMIT: once the write arrives, COMMIT went out.
        Await.until("the reset to be inside the directory", Duration.ofSeconds(20), () -> ldap.modifiesSeen() > seen);

        relay.kill();   // SIGKILL: no shutdown hook, no RESULT, no completion of the audit record
        ldap.release();
        assertThat(inFlight).failsWithin(Duration.ofSeconds(20));
        restartAndMeasureReconnect();

        var records = api().get("/api/v1/audit?limit=1000").json().path("records");
        var committing = new java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode>();
        records.forEach(r -> {
            if (r.path("anchor").asText().equals("sam:grace") && r.path("result").asText().equals("COMMITTING")) {
                committing.add(r);
            }
        });
        assertThat(committing).as("audit after the kill: " + records).hasSize(1);
        assertThat(committing.get(0).path("operation").asText()).isEqualTo("RESET");
        assertThat(committing.get(0).path("agentId").asText()).isEqualTo(inJvmId);
        assertThat(committing.get(0).path("requestId").asText()).isNotEmpty();
        assertThat(committing.get(0).path("actor").asText()).isNotEmpty().isNotEqualTo("relay");
    }

    @Test
    @Order(3)
    void relayKilled_agentReconnectsWithinTheBackoffCap_withoutRegisteringAgain() throws Exception {
        int agentsBefore = api().get("/api/v1/agents").json().path("agents").size();
        relay.kill();
        Await.until("the agent to notice", Duration.ofSeconds(20), () -> !inJvm.link().connected());

        Duration back = restartAndMeasureReconnect();

        assertThat(back).isLessThan(BACKOFF_CAP.plusSeconds(2));
        relay.awaitOutput("RLY-200 agent connected agent=" + inJvmId, Duration.ofSeconds(10));   // the line may trail READY
        assertThat(api().get("/api/v1/agents").json().path("agents").size()).as("no new registration").isEqualTo(agentsBefore);
        assertThat(reset("linus").result()).isEqualTo("SUCCESS");
        System.out.printf("restart: after kill -9, agent back %d ms after the relay listened again%n", back.toMillis());
    }

    @Test
    @Order(4)
    void agentProcessKilledMidRequest_callerGetsOutcomeUnknown_withinTheDeadline() throws Exception {
        inJvm.close();
        inJvm = null;
        String processId = AgentState.load(processAgentState).agentId();
        Path yaml = SharedDirectory.writeConfig(processAgentState, "", directory.yaml(ldap.url()));
        processAgent = Distribution.Running.start(dir.resolve("agent-process.log"), Distribution.agentLauncher().toString(),
                "run", "--config", yaml.toString());
        Await.until("the agent process to connect", Duration.ofSeconds(40), () -> relay.output().contains("RLY-200 agent connected agent=" + processId));

        ldap.stall();
        int seen = ldap.modifiesSeen();
        long submitted = System.nanoTime();
        var inFlight = CompletableFuture.supplyAsync(() -> reset("ada"));
        Await.until("the reset to be inside the directory", Duration.ofSeconds(20), () -> ldap.modifiesSeen() > seen);
        long killedAt = System.nanoTime();
        processAgent.kill();
        var r = inFlight.get(30, TimeUnit.SECONDS);
        Duration afterKill = Duration.ofNanos(System.nanoTime() - killedAt);
        ldap.release();

        assertThat(r.result()).as(r.text()).isEqualTo("OUTCOME_UNKNOWN");
        assertThat(r.status()).isEqualTo(504);
        assertThat(afterKill).as("answered when the connection dropped, not at the deadline").isLessThan(Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - submitted)).isLessThan(Duration.ofSeconds(10));
        assertThat(processAgent.output()).contains("AGT-100 connected");
        System.out.printf("restart: agent killed mid-request, caller answered OUTCOME_UNKNOWN %d ms after the kill%n", afterKill.toMillis());
    }

    // ---- helpers ----

    /** The process logs go to the test output, for whoever reads a failure. */
    static void printLogs() throws java.io.IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                System.out.println("==== " + f.getFileName());
                Files.readAllLines(f).stream().filter(l -> !l.contains("heartbeat")).forEach(System.out::println);
            }
        }
    }

    static void startRelay() throws Exception {
        relay = Distribution.Running.start(dir.resolve("relay-" + ++relayRuns + ".log"), Distribution.relayLauncher().toString(),
                "serve", "--config", relayYaml.toString());
        relay.awaitOutput("RLY-001 relay listening", Duration.ofSeconds(60));
        relay.awaitOutput(" (certificate fingerprint ", Duration.ofSeconds(10));   // RLY-002 follows RLY-001: its pin is whole once this is written
        var m = FINGERPRINT.matcher(relay.output());
        assertThat(m.find()).isTrue();
        assertThat(fingerprint == null || fingerprint.equals(m.group(1))).as("same certificate after restart").isTrue();
        fingerprint = m.group(1);
    }

    /** Starts the next relay on the same port and data directory; returns how long the agent took to be back. */
    static Duration restartAndMeasureReconnect() throws Exception {
        startRelay();
        long listening = System.nanoTime();
        Await.until("the agent on the new relay", BACKOFF_CAP.plusSeconds(10), () -> inJvm.link().connected());
        return Duration.ofNanos(System.nanoTime() - listening);
    }

    /** A new client per call: pooled connections would point at a relay process that is gone. */
    static RelayClient api() {
        return new RelayClient(relayPort, fingerprint, apiToken);
    }

    static RelayClient.Response reset(String user) {
        return api().post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"sam:" + user + "\",\"newPassword\":\"Restart-" + System.nanoTime() % 1_000_000 + "-Zz\"}");
    }

    static Path register(String name) {
        var t = api().post("/api/v1/agents/registration-tokens", "{}");
        assertThat(t.status()).as(t.text()).isIn(200, 201);
        Path state = dir.resolve(name).resolve("state");
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relayPort, "--token", t.json().path("token").asText(),
                "--name", name, "--state-dir", state.toString(), "--trust-fingerprint", fingerprint);
        assertThat(code).as(out.toString()).isZero();
        return state;
    }
}
