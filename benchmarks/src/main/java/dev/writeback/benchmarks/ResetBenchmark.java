package dev.writeback.benchmarks;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.protocol.tls.TlsPolicy;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--mode", defaultValue = "e2e", description = "e2e: resets through relay, agents and embedded "
            + "directories, with the floors; relay: the relay alone with stub agents in another JVM (ceiling); idle: "
            + "relay memory per idle agent session; growth: per-reset cost by users and by tenants; hash-sync: a full "
            + "password hash sync of --sync-users users while resets run. Default ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--stub-agents", defaultValue = "4", description = "Stub agents (relay mode). Default ${DEFAULT-VALUE}.")
    int stubAgents;

    @Option(names = "--sessions", defaultValue = "1000,5000,20000", split = ",", description = "Idle sessions to hold, "
            + "one step after the other (idle mode). Default ${DEFAULT-VALUE}.")
    List<Integer> sessions;

    @Option(names = "--growth-users", defaultValue = "10,1000,10000,100000", split = ",",
            description = "Directory sizes (growth mode). Default ${DEFAULT-VALUE}.")
    List<Integer> growthUsers;

    @Option(names = "--growth-tenants", defaultValue = "1,10,100", split = ",",
            description = "Tenant counts, one stub agent each (growth mode). Default ${DEFAULT-VALUE}.")
    List<Integer> growthTenants;

    @Option(names = "--sync-users", defaultValue = "10000", split = ",",
            description = "Users with a password in the embedded directory, one full sync each (hash-sync mode). "
                    + "Default ${DEFAULT-VALUE}.")
    List<Integer> syncUsers;

    @Option(names = "--sync-limit", defaultValue = "0", description = "Stop a full sync after this many seconds and "
            + "report its rate (hash-sync mode; 0: until done). Default ${DEFAULT-VALUE}.")
    int syncLimit;

    /** Seeded users get a password (and so an NT hash), and the agent syncs hashes (hash-sync mode). */
    private boolean withPasswords;

    /** Runs the benchmark and exits. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ResetBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        quietLogs();
        Path dir = Files.createTempDirectory("writeback-bench");
        System.out.printf("machine: %d cores, load average %.2f at start%n", Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        switch (mode) {
            case "e2e" -> e2e(dir);
            case "relay" -> relayCeiling(dir, List.of(1), clients, true);
            case "idle" -> idle(dir);
            case "growth" -> growth(dir);
            case "hash-sync" -> {
                for (int n : syncUsers) {
                    hashSync(dir.resolve("hash-sync-" + n), n);
                }
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--mode: " + mode
                    + " (expected: e2e, relay, idle, growth or hash-sync)");
        }
        return 0;
    }

    private void e2e(Path dir) throws Exception {
        e2e(dir, users, warmup, floorSeconds > 0, true);
    }

    /** One end-to-end run; returns {p50 ms, resets/s}. */
    private double[] e2e(Path dir, int users, int warmup, boolean withFloors, boolean verbose) throws Exception {
        this.users = users;
        double[] measured = new double[2];
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0).build();
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
                measured[0] = h.getValueAtPercentile(50) / 1000.0;
                measured[1] = h.getTotalCount() / elapsed;
                if (!verbose) {
                    return measured;
                }
                report(h, results, elapsed, relay);
                System.out.printf("jit: %d ms of compilation during the measured %d s (%.1f%% of one core)%n", jit, seconds,
                        jit / (seconds * 10.0));
                System.out.println(Floors.wireSizes());
                if (withFloors) {
                    floors(started.get(0), http, relay, h.getValueAtPercentile(50) / 1000.0, h.getTotalCount() / elapsed);
                }
            } finally {
                started.forEach(Agent::close);
            }
        }
        return measured;
    }

    /**
     * The relay with stub agents in another JVM, {@code tenants} tenants of {@code stubAgents / tenants} (at least
     * one) agents each, clients spread over the tenants. Returns {requests/s, server p50 ms, server p99 ms}.
     */
    private double[] relayCeiling(Path dir, List<Integer> tenantCounts, int clients, boolean verbose) throws Exception {
        int tenants = tenantCounts.get(0);
        int perTenant = Math.max(1, stubAgents / tenants);
        try (RelayServer relay = RelayServer.start(RelayModes.config(dir.resolve("t" + tenants), clients + tenants * perTenant))) {
            var tokens = new ArrayList<String>();
            var states = new ArrayList<Path>();
            for (int t = 0; t < tenants; t++) {
                var tenant = relay.store().createTenant("bench-" + t);
                tokens.add(relay.store().createApiToken(tenant.id(), "bench").plaintext());
                for (int a = 0; a < perTenant; a++) {
                    states.add(RelayModes.register(relay, tenant.id(), dir.resolve("t" + tenants + "-stub-" + t + "-" + a)));
                }
            }
            Process stubs = RelayModes.stubs(1, states, "-Xmx512m");
            try {
                HttpClient http = RelayModes.client(relay);
                URI uri = URI.create("https://localhost:" + relay.port() + "/api/v1/writeback/password-reset");
                if (verbose) {
                    System.out.printf("Relay ceiling: %d stub agents in another JVM (real link, sealing and opening; answers "
                            + "from memory), tenants=%d clients=%d warmup=%ds measured=%ds%n", states.size(), tenants, clients,
                            warmup, seconds);
                }
                int saved = this.clients;
                this.clients = clients;
                try {
                    run(http, uri, tokens, Duration.ofSeconds(warmup), null);
                    var before = RelayModes.serverHistogram(http, relay.port());
                    var recorder = new Recorder(3);
                    var results = new ConcurrentHashMap<String, LongAdder>();
                    long t0 = System.nanoTime();
                    run(http, uri, tokens, Duration.ofSeconds(seconds), new Sink(recorder, results));
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    var after = RelayModes.serverHistogram(http, relay.port());
                    var h = recorder.getIntervalHistogram();
                    double[] out = {h.getTotalCount() / elapsed, RelayModes.percentileMillis(before, after, 50),
                            RelayModes.percentileMillis(before, after, 99)};
                    if (verbose) {
                        report(h, results, elapsed, relay);
                        System.out.printf("relay: %,.0f requests/s at saturation; server-side receipt-to-answer p50 <= %.2f ms, "
                                + "p99 <= %.2f ms (relay histogram bucket bounds; includes the stub's RSA open and two "
                                + "loopback link round trips)%n", out[0], out[1], out[2]);
                    }
                    return out;
                } finally {
                    this.clients = saved;
                }
            } finally {
                RelayModes.stop(stubs);
            }
        }
    }

    /** Relay heap after GC and RSS per idle authenticated agent session, held by stub links in another JVM. */
    private void idle(Path dir) throws Exception {
        int most = sessions.stream().mapToInt(Integer::intValue).max().orElse(0);
        try (RelayServer relay = RelayServer.start(RelayModes.config(dir, most))) {
            var tenant = relay.store().createTenant("bench");
            Path state = RelayModes.register(relay, tenant.id(), dir.resolve("idle-agent"));
            System.out.printf("Idle sessions: one registered agent, N links from another JVM; relay and this harness share "
                    + "the JVM measured (the harness is idle meanwhile)%n");
            long heap0 = RelayModes.heapAfterGc();
            long rss0 = RelayModes.rssKb();
            System.out.printf("idle baseline: relay heap after GC %.1f MiB, RSS %.1f MiB, sessions %d%n", heap0 / 1048576.0,
                    rss0 / 1024.0, relay.sessions().all().size());
            for (int n : sessions) {
                long t0 = System.nanoTime();
                Process stubs;
                try {
                    stubs = RelayModes.stubs(n, List.of(state), "-Xmx" + Math.max(512, n / 5) + "m");
                } catch (RuntimeException | IOException e) {
                    System.out.printf("idle %,d sessions: not reached (%s)%n", n, e.getMessage());
                    break;
                }
                try {
                    long heap = RelayModes.heapAfterGc();
                    long rss = RelayModes.rssKb();
                    int live = relay.sessions().all().size();
                    System.out.printf("idle %,d sessions (%,d live, up in %.1f s): relay heap after GC %.1f MiB (%.1f KiB per "
                                    + "session), RSS %.1f MiB (%.1f KiB per session)%n", n, live, (System.nanoTime() - t0) / 1e9,
                            heap / 1048576.0, (heap - heap0) / 1024.0 / Math.max(1, live), rss / 1024.0,
                            (rss - rss0) / (double) Math.max(1, live));
                } finally {
                    RelayModes.stop(stubs);
                }
            }
        }
    }

    /** Per-reset cost by directory size (end to end, 1 agent, 1 client) and by tenant count (relay, stub agents). */
    private void growth(Path dir) throws Exception {
        System.out.printf("Growth: users via e2e (1 agent, 1 client, embedded directory), tenants via the relay with one "
                + "stub agent per tenant and %d clients; warm-up %d s before the first row, %d s each after%n", clients, warmup,
                Math.min(warmup, 10));
        this.agents = 1;
        int savedClients = clients;
        clients = 1;
        System.out.println("| size           | p50 per reset    | throughput        | note |");
        boolean first = true;
        for (int u : growthUsers) {
            long t0 = System.nanoTime();
            double[] r = e2e(dir.resolve("users-" + u), u, first ? warmup : Math.min(warmup, 10), false, false);
            first = false;
            System.out.printf("| users %,7d   | %8.2f ms e2e | %8.1f resets/s | setup+run %.0f s |%n", u, r[0], r[1],
                    (System.nanoTime() - t0) / 1e9);
        }
        clients = savedClients;
        int savedAgents = stubAgents;
        for (int t : growthTenants) {
            stubAgents = t;
            double[] r = relayCeiling(dir, List.of(t), clients, false);
            System.out.printf("| tenants %,5d  | %8.2f ms relay | %8.0f req/s    | %d stub agents; relay p99 <= %.2f ms |%n", t,
                    r[1], r[0], t, r[2]);
        }
        stubAgents = savedAgents;
    }

    /**
     * A full password hash sync of {@code n} users with passwords (embedded directory, the agent's real syncer and
     * link, the relay's Argon2id wrap and SQLite store) while one client keeps resetting passwords: the sync's time,
     * bytes on the wire and CPU, and the resets' latency before and during it.
     */
    private void hashSync(Path dir, int n) throws Exception {
        this.agents = 1;
        this.clients = 1;
        this.users = n;
        this.withPasswords = true;
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0).build();
        try (RelayServer relay = RelayServer.start(config)) {
            var tenant = relay.store().createTenant("bench");
            String token = relay.store().createApiToken(tenant.id(), "bench").plaintext();
            long seed0 = System.nanoTime();
            Agent agent = agent(relay, tenant.id(), dir.resolve("agent"));
            try {
                agent.link().firstReady().get(120, TimeUnit.SECONDS);
                double setup = (System.nanoTime() - seed0) / 1e9;
                var syncer = agent.hashSyncer();
                while (!syncer.relayOff()) {   // its first cycle finds sync off; then the harness drives the cycles
                    Thread.onSpinWait();
                }
                HttpClient http = HttpClient.newBuilder().sslContext(TlsPolicy.pinnedJdk(relay.fingerprint()))
                        .version(HttpClient.Version.HTTP_1_1).build();
                URI base = URI.create("https://localhost:" + relay.port());
                URI reset = base.resolve("/api/v1/writeback/password-reset");
                System.out.printf("Hash sync benchmark: users=%,d (seeded and agent up in %.0f s) warmup=%ds baseline=%ds "
                        + "relay hash-sync threads=%d%n", n, setup, warmup, seconds,
                        Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
                run(http, reset, token, Duration.ofSeconds(warmup), null);
                var before = new Recorder(3);
                var codes = new ConcurrentHashMap<String, LongAdder>();
                run(http, reset, token, Duration.ofSeconds(seconds), new Sink(before, codes));
                var baseline = before.getIntervalHistogram();

                var enable = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/hash-sync/settings"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":true}")).build(), HttpResponse.BodyHandlers.ofString());
                if (enable.statusCode() != 200) {
                    throw new IllegalStateException("hash sync not enabled: " + enable.statusCode() + " " + enable.body());
                }
                var stats = agent.link().stats();
                long bytes0 = stats.hashSyncBytes();
                long batches0 = stats.hashSyncBatches();
                var cpu = new ThreadCpu();
                long t0 = System.nanoTime();
                long deadline = syncLimit > 0 ? t0 + TimeUnit.SECONDS.toNanos(syncLimit) : Long.MAX_VALUE;
                var done = new java.util.concurrent.atomic.AtomicBoolean();
                var driverCpu = new AtomicLong();
                Thread driver = new Thread(() -> {
                    while (!syncer.fullSyncDone() && System.nanoTime() < deadline) {
                        syncer.cycle();
                        driverCpu.set(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                    }
                    done.set(true);
                }, "bench-hash-sync-driver");
                driver.start();
                var during = new Recorder(3);
                var duringCodes = new ConcurrentHashMap<String, LongAdder>();
                while (!done.get() && System.nanoTime() < deadline) {
                    run(http, reset, token, Duration.ofSeconds(2), new Sink(during, duringCodes));
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long bytes = stats.hashSyncBytes() - bytes0;
                long batches = stats.hashSyncBatches() - batches0;
                double relayCpu = cpu.seconds("relay-hash-sync-");
                double agentCpu = Math.max(cpu.seconds("bench-hash-sync-driver"), driverCpu.get() / 1e9);
                double processCpu = cpu.process();
                var status = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/hash-sync/status"))
                        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
                Matcher stored = Pattern.compile("\"SUCCESS\":(\\d+)").matcher(status.body());
                long users = stored.find() ? Long.parseLong(stored.group(1)) : 0;
                boolean complete = done.get() && syncer.fullSyncDone();
                if (!complete) {
                    agent.close();   // ends the cycle still sending
                }
                driver.join();
                var h = during.getIntervalHistogram();
                System.out.printf("full sync: %s %,d users stored in %.1f s (%.1f users/s)%s%n",
                        complete ? "done," : "stopped at --sync-limit,", users, elapsed, users / elapsed,
                        complete ? "" : String.format(Locale.ROOT, "; at that rate %,d users take about %.0f min", n,
                                n / Math.max(0.001, users / elapsed) / 60));
                System.out.printf("wire: %,d HASH_SYNC frames, %,d bytes (%.1f bytes per user)%n", batches, bytes,
                        bytes / (double) Math.max(1, users));
                System.out.printf("cpu: relay hash-sync threads %.1f s (%.1f ms per user), agent syncer (read, derive, seal) %.1f s, whole process "
                        + "%.1f s over %.1f s of wall time on %d cores%n", relayCpu, 1000 * relayCpu / Math.max(1, users),
                        agentCpu, processCpu, elapsed, Runtime.getRuntime().availableProcessors());
                System.out.printf("resets before the sync: %d, p50 %.2f ms, p99 %.2f ms; during it: %d %s, p50 %.2f ms, "
                                + "p99 %.2f ms, max %.2f ms%n", baseline.getTotalCount(), baseline.getValueAtPercentile(50) / 1000.0,
                        baseline.getValueAtPercentile(99) / 1000.0, h.getTotalCount(), counts(duringCodes),
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
                System.gc();
                System.out.printf("memory: heap used after GC %.1f MiB, process RSS %s%n",
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0, rss());
            } finally {
                agent.close();
            }
        }
    }

    private static Map<String, Long> counts(Map<String, LongAdder> codes) {
        var out = new TreeMap<String, Long>();
        codes.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** CPU time of this process's threads by name prefix, from a starting point. */
    private static final class ThreadCpu {
        private final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> start = new java.util.HashMap<>();
        private final long process0 = processNanos();

        ThreadCpu() {
            for (long id : threads.getAllThreadIds()) {
                start.put(id, Math.max(0, threads.getThreadCpuTime(id)));
            }
        }

        double seconds(String prefix) {
            long sum = 0;
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith(prefix)) {
                    sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()) - start.getOrDefault(info.getThreadId(), 0L));
                }
            }
            return sum / 1e9;
        }

        double process() {
            return (processNanos() - process0) / 1e9;
        }

        private static long processNanos() {
            return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getProcessCpuTime() : 0;
        }
    }

    private void floors(Agent agent, HttpClient http, RelayServer relay, double e2eP50, double e2ePerSecond) throws Exception {
        var each = Duration.ofSeconds(floorSeconds);
        var ldaps = Floors.ldapsModify(agent.directories().embedded("corp"), "CN=Grace Hopper,OU=Staff,DC=corp,DC=example", each);
        var open = Floors.sealedOpen(each);
        var https = Floors.httpsRoundTrip(http, URI.create("https://localhost:" + relay.port() + "/healthz"), each);
        System.out.println("rsa private operations: " + dev.writeback.protocol.crypto.RsaOaep.privateKeyProvider()
                + " (-Dwriteback.crypto.provider=jdk for the JDK's)");
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
        run(http, uri, List.of(token), duration, sink);
    }

    private void run(HttpClient http, URI uri, List<String> tokens, Duration duration, Sink sink) throws InterruptedException {
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
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + tokens.get((int) (n % tokens.size())))
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
        RelayModes.register(relay, tenantId, dir);
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
                """ + seed + (withPasswords ? "hashSync:\n  directory: corp\n" : ""));
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
            if (withPasswords) {
                ldif.append("userPassword: Bench-").append(i).append("-Pw1\n");
            }
        }
        Path file = dir.resolve("seed.ldif");
        Files.createDirectories(dir);
        Files.writeString(file, ldif);
        return file.toAbsolutePath();
    }

    private static String rss() throws IOException {
        long kb = RelayModes.rssKb();
        return kb < 0 ? "n/a" : kb + " kB";
    }

    private static void quietLogs() {
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private record Sink(Recorder recorder, Map<String, LongAdder> results) {}
}
