package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.ApiScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on one PostgreSQL store and one NATS server (TLS, user and password, as postgres.sh and nats.sh
 * start them), one agent connected to node A only: a reset sent to node B is sealed on B for that agent, forwarded
 * over NATS to A, applied once, and answered on B; with the agent gone, B answers AGENT_OFFLINE at once (NATS says
 * nobody holds it) instead of waiting out the deadline.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    @TempDir
    static Path dir;

    static SharedDirectory directory;
    static RelayServer nodeA;
    static RelayServer nodeB;
    static Agent agent;
    static RelayClient viaA;
    static RelayClient viaB;
    static RoundRobinBalancer balancer;
    static String tenantId;
    static Agent twoLinks;

    @BeforeAll
    static void start() throws Exception {
        Path pgEnv = Path.of(System.getProperty("postgres.env", "target/postgres/env"));
        Path natsEnv = Path.of(System.getProperty("nats.env", "target/nats/env"));
        if (!Files.isRegularFile(pgEnv) || !Files.isRegularFile(natsEnv)) {
            String why = "needs the test PostgreSQL and NATS servers (system-tests/postgres/postgres.sh up,"
                    + " system-tests/nats/nats.sh up): " + pgEnv + " or " + natsEnv + " does not exist";
            if ("true".equalsIgnoreCase(System.getenv("CI")) && System.getenv("WRITEBACK_SKIP_CLUSTER") == null) {
                Assertions.fail("CI=true needs ClusterIT (set WRITEBACK_SKIP_CLUSTER=1 to skip it): " + why);
            }
            Assumptions.abort(why);
        }
        var pg = EnvFile.load("postgres env", pgEnv);
        var nats = EnvFile.load("nats env", natsEnv);
        var store = ClusterNodes.freshDatabase(pg, "wb_cluster");
        directory = SharedDirectory.start(dir.resolve("directory"));

        nodeA = RelayServer.start(ClusterNodes.node(dir, "a", store, nats).build());
        // every node seals with the same master key, and answers with the same certificate behind the load
        // balancer: the operator copies both from the first
        Files.createDirectories(dir.resolve("b"));
        Files.copy(dir.resolve("a/master.key"), dir.resolve("b/master.key"));
        nodeB = RelayServer.start(ClusterNodes.node(dir, "b", store, nats)
                .tls(dir.resolve("a/tls/relay.crt"), dir.resolve("a/tls/relay.key")).build());
        balancer = new RoundRobinBalancer(List.of(nodeA.port(), nodeB.port()));

        String[] tenant = Loopback.tenant(nodeA, "acme");
        String token = nodeA.store().createApiToken(tenant[0], "cluster test", ApiScope.OPERATIONS).plaintext();
        viaA = new RelayClient(nodeA.port(), nodeA.fingerprint(), token);
        viaB = new RelayClient(nodeB.port(), nodeB.fingerprint(), token);
        tenantId = tenant[0];
        Path state = Loopback.register(nodeA, tenant[0], dir, "agent-1");
        agent = directory.agent(state, "links: 1");   // on node A only
        agent.link().firstReady().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {agent, twoLinks, balancer, nodeB, nodeA, directory}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static RelayClient.Response reset(RelayClient client, String password) {
        return client.post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"sam:ada\",\"newPassword\":\"" + password + "\"}");
    }

    @Test
    @Order(1)
    void aResetOnTheNodeWithoutTheAgent_isForwardedToTheNodeThatHoldsIt_andAppliedOnce() throws Exception {
        int before = directory.historySizes().get("ada");
        assertThat(nodeB.sessions().all()).as("node B holds no session").isEmpty();
        assertThat(nodeA.sessions().all()).as("node A holds the agent's").hasSize(1);

        long started = System.nanoTime();
        var answer = reset(viaB, "Across-Nodes-61");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().path("result").asText()).isEqualTo("SUCCESS");
        // the status API on either node shows the agent and the node that holds it
        Await.until("node B's status to show agent-1 on node A", Duration.ofSeconds(20), () -> viaB
                .get("/api/v1/writeback/status").json().path("agents").path(0).path("nodes").toString().equals("[\"node-a\"]"));
        for (RelayClient via : List.of(viaA, viaB)) {
            var agent1 = via.get("/api/v1/writeback/status").json().path("agents").path(0);
            assertThat(agent1.path("state").asText()).isEqualTo("CONNECTED");
            assertThat(agent1.path("sessions").asInt()).isEqualTo(1);
        }
        assertThat(directory.historySizes().get("ada")).as("applied once").isEqualTo(before + 1);
        assertThat(reset(viaA, "On-The-Holder-62").status()).as("the holder serves its own callers").isEqualTo(200);
        assertThat(directory.historySizes().get("ada")).isEqualTo(before + 2);
        System.out.printf("cluster: a reset through the other node took %d ms%n", millis);
    }

    @Test
    @Order(2)
    void withTheAgentGone_theOtherNodeAnswersAgentOffline_withoutWaitingForTheDeadline() throws Exception {
        agent.close();
        agent = null;
        Await.until("node A to drop the agent's session", Duration.ofSeconds(10), () -> nodeA.sessions().all().isEmpty());

        long started = System.nanoTime();
        var answer = reset(viaB, "Nobody-Home-63");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(answer.status()).as(answer.text()).isEqualTo(503);
        assertThat(answer.text()).contains("AGENT_OFFLINE");
        assertThat(answer.json().path("retrySafe").asBoolean()).isTrue();
        assertThat(millis).as("the agent wait (2 s), not the request deadline (15 s)").isLessThan(10_000);
    }

    @Test
    @Order(3)
    void anAgentBehindTheBalancer_keepsLinksToBothNodes_andOneNodeStoppingLeavesTheOtherServing() throws Exception {
        Path state = Loopback.register(nodeA, tenantId, dir, "agent-2");
        twoLinks = directory.agent(state, "url: https://127.0.0.1:" + balancer.port() + "\nlinks: 2");
        twoLinks.link().firstReady().get(30, TimeUnit.SECONDS);
        String id = nodeA.store().agents(tenantId).stream().filter(a -> a.name().equals("agent-2")).findFirst()
                .orElseThrow().id();

        Await.until("a session of agent-2 on each node", Duration.ofSeconds(60),
                () -> nodeA.sessions().ofAgent(id).size() == 1 && nodeB.sessions().ofAgent(id).size() == 1);
        assertThat(twoLinks.links()).extracting(dev.writeback.agent.link.RelayLink::node)
                .containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(reset(viaB, "Two-Links-64").status()).isEqualTo(200);

        int before = directory.historySizes().get("ada");
        String onB = nodeB.sessions().ofAgent(id).get(0).sessionId();
        nodeA.stop();   // GOAWAY to its sessions; its link dials the balancer again
        var answer = reset(viaB, "One-Node-Left-65");

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(directory.historySizes().get("ada")).isEqualTo(before + 1);
        assertThat(nodeB.sessions().ofAgent(id)).as("the link to node B stayed")
                .extracting(dev.writeback.relay.agent.AgentSession::sessionId).contains(onB);
    }
}
