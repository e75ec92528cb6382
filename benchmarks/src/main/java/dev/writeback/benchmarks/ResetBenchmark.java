package dev.writeback.benchmarks;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentCommand;
import dev.writeback.agent.AgentConfig;
import dev.writeback.protocol.tls.TlsPolicy;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Closed-loop password resets through the whole system: HTTPS REST API → relay → sealed WebSocket → agent →
 * embedded directory over LDAPS, and back. Prints latency percentiles, throughput, result codes and memory.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Password resets through relay and agents on loopback; prints percentiles, throughput, memory.")
public final class ResetBenchmark implements Callable<Integer> {
    private static final Pattern RESULT = Pattern.compile("\"result\":\"([A-Z_]+)\"");
    private static final String[] USERS = {"upn:ada@corp.example", "upn:grace@corp.example", "upn:linus@corp.example"};

    @Option(names = "--agents", defaultValue = "2", description = "Agents (each with its own embedded directory). Default ${DEFAULT-VALUE}.")
    int agents;

    @Option(names = "--clients", defaultValue = "16", description = "Concurrent REST clients in a closed loop. Default ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--seconds", defaultValue = "20", description = "Measured duration. Default ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--warmup", defaultValue = "60", description = "Warm-up seconds, not measured; the JIT needs about a "
            + "minute (the report prints how much it still compiled while measuring). Default ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--users", defaultValue = "0", description = "Extra generated users in each embedded directory; resets "
            + "then go to random ones of them. Default ${DEFAULT-VALUE} (the three sample users).")
    int users;

    @Option(names = "--floor-seconds", defaultValue = "5", description = "Seconds per floor measurement (LDAPS modify, "
            + "sealed open, HTTPS round trip), after the load. 0 skips them. Default ${DEFAULT-VALUE}.")
    int floorSeconds;

    /** Runs the benchmark and exits. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ResetBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        quietLogs();
        Path dir = Files.createTempDirectory("writeback-bench");
        var config = RelayConfig.defaults(dir.resolve("relay")).withListen("127.0.0.1", 0);
        try (RelayServer relay = RelayServer.start(config)) {
            var tenant = relay.store().createTenant("bench");
            String token = relay.store().createApiToken(tenant.id(), "bench").plaintext();
            var started = new ArrayList<Agent>();
            try {
                for (int i = 0; i < agents; i++) {
                    started.add(agent(relay, tenant.id(), dir.resolve("agent-" + i)));
                }
                for (Agent a : started) {
                    a.link().firstReady().get(60, TimeUnit.SECONDS);
                }
                HttpClient http = HttpClient.newBuilder().sslContext(TlsPolicy.pinnedJdk(relay.fingerprint()))
                        .version(HttpClient.Version.HTTP_1_1).build();
                URI uri = URI.create("https://localhost:" + relay.port() + "/api/v1/writeback/password-reset");
                System.out.printf("Writeback reset benchmark: agents=%d clients=%d users=%d warmup=%ds measured=%ds cores=%d%n",
                        agents, clients, users, warmup, seconds, Runtime.getRuntime().availableProcessors());
                run(http, uri, token, Duration.ofSeconds(warmup), null);
                var recorder = new Recorder(3);
                var results = new ConcurrentHashMap<String, LongAdder>();
                long jit0 = jitMillis();
                long t0 = System.nanoTime();
                run(http, uri, token, Duration.ofSeconds(seconds), new Sink(recorder, results));
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long jit = jitMillis() - jit0;
                var h = recorder.getIntervalHistogram();
                report(h, results, elapsed, relay);
                System.out.printf("jit: %d ms of compilation during the measured %d s (%.1f%% of one core)%n", jit, seconds,
                        jit / (seconds * 10.0));
                System.out.println(Floors.wireSizes());
                if (floorSeconds > 0) {
                    floors(started.get(0), http, relay, h.getValueAtPercentile(50) / 1000.0, h.getTotalCount() / elapsed);
                }
            } finally {
                started.forEach(Agent::close);
            }
        }
        return 0;
    }

    private void floors(Agent agent, HttpClient http, RelayServer relay, double e2eP50, double e2ePerSecond) throws Exception {
        var each = Duration.ofSeconds(floorSeconds);
        var ldaps = Floors.ldapsModify(agent.directories().embedded("corp"), "CN=Grace Hopper,OU=Staff,DC=corp,DC=example", each);
        var open = Floors.sealedOpen(each);
        var https = Floors.httpsRoundTrip(http, URI.create("https://localhost:" + relay.port() + "/healthz"), each);
        for (var floor : java.util.List.of(ldaps, open, https)) {
            System.out.println(floor.line());
        }
        double floorP50 = ldaps.p50Millis() + open.p50Millis() + https.p50Millis();
        double ceiling = Math.min(ldaps.perSecond(), open.perSecond());
        System.out.printf("floor-p50 (sum) %.3f ms; ceiling (lower of directory and opens, one agent) %,.0f/s%n", floorP50, ceiling);
        System.out.printf("ratio: e2e-p50/floor-p50 = %.2f; throughput/ceiling = %.0f%%%n", e2eP50 / floorP50,
                100 * e2ePerSecond / ceiling);
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    private void run(HttpClient http, URI uri, String token, Duration duration, Sink sink) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        var counter = new AtomicLong();
        var threads = new ArrayList<Thread>();
        for (int c = 0; c < clients; c++) {
            var t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long n = counter.incrementAndGet();
                    // Digits only in the unique part: AD's complexity rule refuses a password containing the
                    // account name, and hex digits can spell "ada".
                    String anchor = users > 0 ? "upn:bench" + java.util.concurrent.ThreadLocalRandom.current().nextInt(users)
                            + "@corp.example" : USERS[(int) (n % USERS.length)];
                    String body = "{\"anchor\":\"" + anchor + "\",\"newPassword\":\"Bm-" + n + "-"
                            + System.nanoTime() + "-Zz9\"}";
                    long start = System.nanoTime();
                    String result;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        Matcher m = RESULT.matcher(r.body());
                        result = m.find() ? m.group(1) : "HTTP_" + r.statusCode();
                    } catch (IOException e) {
                        result = "IO_ERROR";
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (sink != null) {
                        sink.recorder.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
                        sink.results.computeIfAbsent(result, k -> new LongAdder()).increment();
                    }
                }
            }, "bench-client-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void report(org.HdrHistogram.Histogram h, Map<String, LongAdder> results, double elapsed, RelayServer relay)
            throws IOException {
        long total = h.getTotalCount();
        var codes = new TreeMap<String, Long>();
        results.forEach((k, v) -> codes.put(k, v.sum()));
        System.out.printf("requests: %d in %.1f s  results: %s%n", total, elapsed, codes);
        System.out.printf("throughput: %.1f resets/s%n", total / elapsed);
        System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("memory: heap used after GC %.1f MiB, process RSS %s; agent sessions on the relay: %d%n",
                heap / 1048576.0, rss(), relay.sessions().all().size());
    }

    private Agent agent(RelayServer relay, String tenantId, Path dir) throws Exception {
        String reg = relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token", reg, "--name", dir.getFileName().toString(),
                "--state-dir", dir.resolve("state").toString(), "--trust-fingerprint", relay.fingerprint());
        if (code != 0) {
            throw new IllegalStateException("agent register failed: " + out);
        }
        Path yaml = dir.resolve("agent.yaml");
        String seed = users > 0 ? "      seedLdif: " + seedLdif(dir) + "\n" : "";
        Files.writeString(yaml, """
                stateDir: state
                workers: 8
                directories:
                  - name: corp
                    type: embedded
                    poolSize: 8
                    embedded:
                      dataDir: embedded-directory
                      ldapPort: 0
                      ldapsPort: 0
                """ + seed);
        return Agent.start(AgentConfig.load(yaml));
    }

    /** The sample users plus {@code users} generated accounts bench0..benchN-1 (no password until reset). */
    private Path seedLdif(Path dir) throws IOException {
        var ldif = new StringBuilder();
        try (var in = Agent.class.getResourceAsStream("/embedded/sample-users.ldif")) {
            ldif.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).append("\n");
        }
        for (int i = 0; i < users; i++) {
            ldif.append("\ndn: CN=bench").append(i).append(",OU=Staff,DC=corp,DC=example\nobjectClass: top\nobjectClass: person\n")
                    .append("objectClass: organizationalPerson\nobjectClass: user\ncn: bench").append(i)
                    .append("\nsn: Bench\nsAMAccountName: bench").append(i).append("\nuserPrincipalName: bench").append(i)
                    .append("@corp.example\nmail: bench").append(i).append("@corp.example\nuserAccountControl: 512\n");
        }
        Path file = dir.resolve("seed.ldif");
        Files.createDirectories(dir);
        Files.writeString(file, ldif);
        return file.toAbsolutePath();
    }

    private static String rss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return "n/a";
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return line.substring(6).strip();
            }
        }
        return "n/a";
    }

    private static void quietLogs() {
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private record Sink(Recorder recorder, Map<String, LongAdder> results) {}
}
