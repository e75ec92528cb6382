package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.ApiScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes whose NATS server goes away and comes back (a private nats-server of this test, through
 * system-tests/nats/nats.sh on its own port): while it is down both nodes say so in {@code /readyz}, the node
 * without the agent answers AGENT_OFFLINE (nothing could be sent, so nothing is left unknown) and the node with it
 * keeps serving; once NATS is back, forwarding works again without a restart.
 */
class NatsRestartIT {
    private static final String SCRIPT = "nats/nats.sh";
    private static final String PORT = "14226";

    @TempDir
    static Path dir;

    static Path work;
    static SharedDirectory directory;
    static RelayServer nodeA;
    static RelayServer nodeB;
    static Agent agent;
    static RelayClient viaA;
    static RelayClient viaB;

    @BeforeAll
    static void start() throws Exception {
        Path pgEnv = Path.of(System.getProperty("postgres.env", "target/postgres/env"));
        if (!Files.isRegularFile(pgEnv) || !Files.isExecutable(Path.of("/usr/sbin/nats-server"))) {
            String why = "needs the test PostgreSQL (system-tests/postgres/postgres.sh up) and nats-server installed";
            if ("true".equalsIgnoreCase(System.getenv("CI")) && System.getenv("WRITEBACK_SKIP_CLUSTER") == null) {
                Assertions.fail("CI=true needs NatsRestartIT (set WRITEBACK_SKIP_CLUSTER=1 to skip it): " + why);
            }
            Assumptions.abort(why);
        }
        work = Path.of("target/nats-restart").toAbsolutePath();
        script("up");
        var nats = EnvFile.load("nats env", work.resolve("env"));
        var pg = EnvFile.load("postgres env", pgEnv);
        var store = ClusterNodes.freshDatabase(pg, "wb_natsrestart");
        directory = SharedDirectory.start(dir.resolve("directory"));
        nodeA = RelayServer.start(ClusterNodes.node(dir, "a", store, nats).build());
        Files.createDirectories(dir.resolve("b"));
        Files.copy(dir.resolve("a/master.key"), dir.resolve("b/master.key"));
        nodeB = RelayServer.start(ClusterNodes.node(dir, "b", store, nats).build());
        String[] tenant = Loopback.tenant(nodeA, "acme");
        String token = nodeA.store().createApiToken(tenant[0], "nats restart", ApiScope.OPERATIONS).plaintext();
        viaA = new RelayClient(nodeA.port(), nodeA.fingerprint(), token);
        viaB = new RelayClient(nodeB.port(), nodeB.fingerprint(), token);
        agent = directory.agent(Loopback.register(nodeA, tenant[0], dir, "agent-1"), "links: 1");
        agent.link().firstReady().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (AutoCloseable c : new AutoCloseable[] {agent, nodeB, nodeA, directory}) {
                if (c != null) {
                    c.close();
                }
            }
        } finally {
            if (work != null) {
                script("clean");
            }
        }
    }

    /** Runs nats.sh with this test's port and directory; fails with its output when it fails. */
    private static void script(String command) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(SCRIPT, command).redirectErrorStream(true);
        pb.environment().put("NATS_TEST_WORK_DIR", work.toString());
        pb.environment().put("NATS_TEST_PORT", PORT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("nats.sh %s finished", command).isTrue();
        assertThat(p.exitValue()).as("nats.sh %s: %s", command, out).isZero();
    }

    private static RelayClient.Response reset(RelayClient client, String password) {
        return client.post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"sam:ada\",\"newPassword\":\"" + password + "\"}");
    }

    @Test
    void natsGoingAway_leavesTheHolderServing_theOtherNodeAnswersAtOnce_andForwardingResumesWhenItIsBack()
            throws Exception {
        assertThat(reset(viaB, "Before-Nats-Stop-71").status()).as("forwarded").isEqualTo(200);
        int before = directory.historySizes().get("ada");

        script("stop");

        Await.until("/readyz to say 503 on both nodes", Duration.ofSeconds(30),
                () -> viaA.get("/readyz").status() == 503 && viaB.get("/readyz").status() == 503);
        long started = System.nanoTime();
        var offline = reset(viaB, "During-Nats-Stop-72");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(offline.status()).as(offline.text()).isEqualTo(503);
        assertThat(offline.text()).contains("AGENT_OFFLINE");
        assertThat(offline.json().path("retrySafe").asBoolean()).as("nothing was sent").isTrue();
        assertThat(millis).as("the agent wait (2 s), not the deadline (15 s)").isLessThan(10_000);
        assertThat(reset(viaA, "Holder-Serves-73").status()).as("the node with the agent serves on").isEqualTo(200);
        assertThat(directory.historySizes().get("ada")).as("only the holder's reset was applied").isEqualTo(before + 1);

        script("start");

        Await.until("/readyz to say 200 on both nodes", Duration.ofSeconds(30),
                () -> viaA.get("/readyz").status() == 200 && viaB.get("/readyz").status() == 200);
        var after = reset(viaB, "After-Nats-Back-74");
        assertThat(after.status()).as("forwarding again: %s", after.text()).isEqualTo(200);
        assertThat(directory.historySizes().get("ada")).isEqualTo(before + 2);
    }
}
