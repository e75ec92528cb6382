package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A relay on 127.0.0.1 with one tenant and its REST client, agents registered through the real {@code agent
 * register} command line, and everything both sides log in this JVM: the shared {@link Loopback},
 * {@link RelayClient} and {@link CapturedLogs} put together for the end-to-end tests against real directories (Samba AD, OpenLDAP).
 */
public final class LoopbackStack implements AutoCloseable {
    private final Path dir;
    private final CapturedLogs logs = new CapturedLogs();
    private final List<Agent> agents = new ArrayList<>();
    private RelayServer relay;
    private String tenantId;
    private RelayClient client;

    private LoopbackStack(Path dir) {
        this.dir = dir;
    }

    /** Starts capturing logs, then a relay in {@code dir} with one tenant. */
    public static LoopbackStack start(Path dir) throws Exception {
        return start(dir, null);
    }

    /** As {@link #start(Path)}, with its state in the PostgreSQL database of {@code store} (null: SQLite). */
    public static LoopbackStack start(Path dir, dev.writeback.relay.store.StoreSettings store) throws Exception {
        var stack = new LoopbackStack(dir);
        try {
            var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                    .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(30)).store(store).build();
            stack.relay = RelayServer.start(config);
            Tenant tenant = stack.relay.store().createTenant("directory-e2e");
            stack.tenantId = tenant.id();
            stack.client = new RelayClient(stack.relay.port(), stack.relay.fingerprint(),
                    stack.relay.store().createApiToken(tenant.id(), "test").plaintext());
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Registers an agent named {@code name} with {@code agent register}, writes its {@code agent.yaml} with the
     * given {@code directories:} block (YAML, indented by two spaces), starts it and waits until the relay accepted it.
     */
    public Agent agent(String name, String directoriesYaml) throws Exception {
        return agent(name, directoriesYaml, "");
    }

    /** As {@link #agent(String, String)}, with more top-level agent.yaml after the directories (e.g. {@code hashSync:}). */
    public Agent agent(String name, String directoriesYaml, String moreYaml) throws Exception {
        Path state = Loopback.register(relay, tenantId, dir, name);
        Path yaml = state.getParent().resolve("agent.yaml");
        Files.writeString(yaml, "stateDir: state\nheartbeatInterval: 2s\nworkers: 2\ndirectories:\n" + directoriesYaml
                + moreYaml);
        Agent agent = Agent.start(AgentConfig.load(yaml));
        agents.add(agent);
        agent.link().firstReady().get(30, TimeUnit.SECONDS);
        return agent;
    }

    /** A client of the tenant with a new token of {@code scope}. */
    public RelayClient client(ApiScope scope) {
        return new RelayClient(relay.port(), relay.fingerprint(),
                relay.store().createApiToken(tenantId, "test " + scope, scope).plaintext());
    }

    public RelayClient.Response post(String path, String json) {
        return client.post(path, json);
    }

    public RelayClient.Response put(String path, String json) {
        return client.put(path, json);
    }

    /** {@code POST /api/v1/writeback/password-reset}; {@code moreJson} is appended to the body, e.g. {@code ,"unlock":false}. */
    public RelayClient.Response reset(String anchor, String newPassword, String moreJson) {
        return post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"" + anchor + "\",\"newPassword\":\"" + newPassword + "\"" + moreJson + "}");
    }

    /** {@code POST /api/v1/writeback/password-change}. */
    public RelayClient.Response change(String anchor, String currentPassword, String newPassword) {
        return post("/api/v1/writeback/password-change", "{\"anchor\":\"" + anchor + "\",\"currentPassword\":\""
                + currentPassword + "\",\"newPassword\":\"" + newPassword + "\"}");
    }

    /** After all tests: stops {@code stack} (null when the suite was skipped) and checks it leaked none of {@code secrets}. */
    public static void stopAndCheckForLeaks(LoopbackStack stack, Collection<String> secrets) throws Exception {
        if (stack == null) {
            return;
        }
        try {
            stack.stopAndAssertNoLeaks(secrets);
        } finally {
            stack.close();
        }
    }

    /** The relay's TLS port on 127.0.0.1. */
    public int relayPort() {
        return relay.port();
    }

    /** The tenant's name: its portal is at {@code /sspr/{name}/}. */
    public String tenantName() {
        return relay.store().tenant(tenantId).orElseThrow().name();
    }

    public RelayClient.Response get(String path) {
        return client.get(path);
    }

    /** Everything logged since {@link #start}, one line per event with its MDC and stack trace. */
    public String logs() {
        return logs.text();
    }

    /** The log lines that carry {@code requestId} (as text or in the MDC). */
    public List<String> logLines(String requestId) {
        return logs().lines().filter(line -> line.contains(requestId)).toList();
    }

    /**
     * Stops the agents and the relay, then checks that the logs, the tenant's audit records and every file under
     * the test directory contain none of {@code secrets}, as text or as UTF-8 hex.
     */
    public void stopAndAssertNoLeaks(Collection<String> secrets) throws Exception {
        var audit = get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.json().path("records").size()).as("audit records").isPositive();
        stopAll();
        Leaks.assertNoSecrets(secrets, dir, logs(), audit.text());
    }

    @Override
    public void close() {
        try {
            stopAll();
        } finally {
            logs.close();
        }
    }

    private void stopAll() {
        agents.forEach(Agent::close);
        agents.clear();
        if (relay != null) {
            relay.stop();
            relay = null;
        }
    }
}
