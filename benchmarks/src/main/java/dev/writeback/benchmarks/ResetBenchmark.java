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

    @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds, not measured. Default ${DEFAULT-VALUE}.")
    int warmup;

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
                System.out.printf("Writeback reset benchmark: agents=%d clients=%d warmup=%ds measured=%ds cores=%d%n",
                        agents, clients, warmup, seconds, Runtime.getRuntime().availableProcessors());
                run(http, uri, token, Duration.ofSeconds(warmup), null);
                var recorder = new Recorder(3);
                var results = new ConcurrentHashMap<String, LongAdder>();
                long t0 = System.nanoTime();
                run(http, uri, token, Duration.ofSeconds(seconds), new Sink(recorder, results));
                report(recorder, results, (System.nanoTime() - t0) / 1e9, relay);
            } finally {
                started.forEach(Agent::close);
            }
        }
        return 0;
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
                    String body = "{\"anchor\":\"" + USERS[(int) (n % USERS.length)] + "\",\"newPassword\":\"Bm-" + n + "-"
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

    private void report(Recorder recorder, Map<String, LongAdder> results, double elapsed, RelayServer relay) throws IOException {
        var h = recorder.getIntervalHistogram();
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
                """);
        return Agent.start(AgentConfig.load(yaml));
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
