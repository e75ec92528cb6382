package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentCommand;
import dev.writeback.agent.AgentConfig;
import dev.writeback.protocol.tls.TlsPolicy;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.Tenant;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * A relay on 127.0.0.1 with one tenant and its REST client, agents registered through the real {@code agent
 * register} command line, and everything both sides log in this JVM. The Samba end-to-end tests use it the way
 * {@code EndToEndIT} uses the (package-private) {@code Loopback}, {@code RelayClient} and {@code CapturedLogs}.
 */
final class LoopbackStack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root;
    private final List<Agent> agents = new ArrayList<>();
    private RelayServer relay;
    private String tenantId;
    private String apiToken;
    private HttpClient http;

    private LoopbackStack(Path dir) {
        this.dir = dir;
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
    }

    /** Starts capturing logs, then a relay in {@code dir} with one tenant. */
    static LoopbackStack start(Path dir) throws Exception {
        var stack = new LoopbackStack(dir);
        try {
            var config = RelayConfig.defaults(dir.resolve("relay")).withListen("127.0.0.1", 0)
                    .withHeartbeat(Duration.ofSeconds(2), Duration.ofSeconds(30));
            stack.relay = RelayServer.start(config);
            Tenant tenant = stack.relay.store().createTenant("samba-e2e");
            stack.tenantId = tenant.id();
            stack.apiToken = stack.relay.store().createApiToken(tenant.id(), "test").plaintext();
            stack.http = HttpClient.newBuilder().sslContext(TlsPolicy.pinnedJdk(stack.relay.fingerprint()))
                    .connectTimeout(Duration.ofSeconds(5)).build();
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
    Agent agent(String name, String directoriesYaml) throws Exception {
        String token = relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
        Path state = dir.resolve(name).resolve("state");
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token", token,
                "--name", name, "--state-dir", state.toString(), "--trust-fingerprint", relay.fingerprint());
        assertThat(code).as("agent register: %s", out).isZero();
        Path yaml = state.getParent().resolve("agent.yaml");
        Files.writeString(yaml, "stateDir: state\nheartbeatInterval: 2s\nworkers: 2\ndirectories:\n" + directoriesYaml);
        Agent agent = Agent.start(AgentConfig.load(yaml));
        agents.add(agent);
        agent.link().firstReady().get(30, TimeUnit.SECONDS);
        return agent;
    }

    Response post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    Response put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** Everything logged since {@link #start}, one line per event with its MDC and stack trace. */
    String logs() {
        var sb = new StringBuilder();
        synchronized (appender) {   // AppenderBase.doAppend holds this lock while it adds
            for (ILoggingEvent e : appender.list) {
                sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(' ').append(e.getFormattedMessage())
                        .append(' ').append(e.getMDCPropertyMap());
                if (e.getThrowableProxy() != null) {
                    sb.append(' ').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The log lines that carry {@code requestId} (as text or in the MDC). */
    List<String> logLines(String requestId) {
        return logs().lines().filter(line -> line.contains(requestId)).toList();
    }

    /**
     * Stops the agents and the relay, then checks that the logs, the tenant's audit records and every file under
     * the test directory contain none of {@code secrets}, as text or as UTF-8 hex.
     */
    void stopAndAssertNoLeaks(Collection<String> secrets) throws Exception {
        var audit = get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.json().path("records").size()).as("audit records").isPositive();
        stopAll();
        String everything = logs() + audit.text() + filesUnder(dir);
        for (String secret : secrets) {
            assertThat(everything).as("logs, audit and files must not contain a password").doesNotContain(secret);
            assertThat(everything).doesNotContain(HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void close() {
        try {
            stopAll();
        } finally {
            root.detachAppender(appender);
            appender.stop();
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

    /** Waits for a condition with a deadline, checking often; fails with a message instead of hoping. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private URI uri(String path) {
        return URI.create("https://localhost:" + relay.port()).resolve(path);
    }

    private Response send(HttpRequest.Builder builder) {
        builder.timeout(Duration.ofSeconds(70)).header("Authorization", "Bearer " + apiToken);
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Response(r.statusCode(), body, r.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String filesUnder(Path root) throws IOException {
        var sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * One REST answer.
     *
     * @param status the HTTP status
     * @param json the parsed body
     * @param text the body as sent
     */
    record Response(int status, JsonNode json, String text) {
        String result() {
            return json.path("result").asText();
        }

        String reason() {
            return json.path("reason").asText();
        }

        String requestId() {
            return json.path("requestId").asText();
        }
    }
}
