package dev.writeback.benchmarks;

import dev.writeback.agent.AgentCommand;
import dev.writeback.protocol.tls.TlsPolicy;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayLimits;
import dev.writeback.relay.RelayServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The relay on its own: stub agents ({@link StubAgents}) in a separate JVM answer from memory, so what is measured
 * is the relay's routing, sealing, link and REST work. The per-address connection cap is raised by configuration
 * ({@code limits.maxConnectionsPerAddress}) for the run, since every connection comes from 127.0.0.1.
 */
final class RelayModes {
    private static final Pattern BUCKET = Pattern.compile(
            "writeback_api_operation_duration_seconds_bucket\\{[^}]*operation=\"password-reset\"[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+]+)");

    private RelayModes() {}

    /** The relay's configuration for these runs: loopback, ephemeral port, caps above the connections made. */
    static RelayConfig config(Path dir, int connections) {
        int cap = Math.max(RelayLimits.DEFAULT_MAX_CONNECTIONS, connections + 256);
        return RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                .limits(new RelayLimits(cap, cap, RelayLimits.DEFAULT_BLOCKING_QUEUE)).build();
    }

    /** Registers an agent with the real {@code agent register} command; returns its state directory. */
    static Path register(RelayServer relay, String tenantId, Path dir) {
        String reg = relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        Path state = dir.resolve("state");
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token", reg, "--name",
                dir.getFileName().toString(), "--state-dir", state.toString(), "--trust-fingerprint", relay.fingerprint());
        if (code != 0) {
            throw new IllegalStateException("agent register failed: " + out);
        }
        return state;
    }

    /** A JVM of stub agents: {@code links} relay links per state directory; returns once all are up. */
    static Process stubs(int links, List<Path> states, String heap) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), heap, "-Xss256k",
                "-cp", System.getProperty("java.class.path"), StubAgents.class.getName(), Integer.toString(links)));
        states.forEach(s -> cmd.add(s.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("READY")) {
                return p;
            }
        }
        throw new IllegalStateException("stub agents ended before READY (exit " + p.waitFor() + ")");
    }

    static void stop(Process p) throws InterruptedException {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /** Cumulative counts of the relay's own receipt-to-answer histogram for password resets, by upper bound (s). */
    static TreeMap<Double, Double> serverHistogram(HttpClient http, int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/metrics")).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        var buckets = new TreeMap<Double, Double>();
        var m = BUCKET.matcher(r.body());
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.put(le, Double.parseDouble(m.group(2)));
        }
        return buckets;
    }

    /** The upper bound (ms) of the bucket holding percentile {@code p} of the requests between two scrapes. */
    static double percentileMillis(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double p) {
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        for (var e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= total * p / 100) {
                return e.getKey() * 1000;
            }
        }
        return Double.NaN;
    }

    static HttpClient client(RelayServer relay) {
        return HttpClient.newBuilder().sslContext(TlsPolicy.pinnedJdk(relay.fingerprint()))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Heap used after a full GC, in bytes. */
    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This process's resident set size in kB, or -1 where /proc is missing. */
    static long rssKb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!java.nio.file.Files.exists(status)) {
            return -1;
        }
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
