package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.AgentCommand;
import dev.writeback.agent.AgentState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords do not stay in memory. A relay and an agent run as processes from the built distributions; the agent
 * writes, over LDAPS, to a directory in this test's JVM (so the agent holds only the client side of the write).
 * After a series of resets and changes, each process gets a full GC and a heap dump of its live objects
 * ({@code jcmd <pid> GC.heap_dump}), and the dump's bytes are searched for every password as Latin-1, UTF-8,
 * UTF-16LE and UTF-16BE.
 */
class PasswordHeapIT {
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint (SHA256:[0-9A-Fa-f:]+)");
    private static final Charset[] ENCODINGS = {StandardCharsets.ISO_8859_1, StandardCharsets.UTF_8,
        StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE};
    private static final int RESETS = 12;

    @TempDir
    static Path dir;

    static SharedDirectory directory;
    static Distribution.Running relay;
    static Distribution.Running agent;
    static int relayPort;
    static String fingerprint;
    static String apiToken;
    static final List<String> passwords = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        directory = SharedDirectory.start(dir.resolve("shared"));
        relayPort = Loopback.freePort();
        Path relayYaml = dir.resolve("relay.yaml");
        Files.writeString(relayYaml, "dataDir: relay-data\nlisten:\n  address: 127.0.0.1\n  port: " + relayPort + "\n");
        String created = Distribution.run(Duration.ofSeconds(60), Distribution.relayLauncher().toString(), "tenant", "create",
                "--init", "--data-dir", dir.resolve("relay-data").toString(), "acme");
        apiToken = created.lines().filter(l -> l.startsWith("api-token: ")).findFirst().orElseThrow().substring(11);
        relay = Distribution.Running.start(dir.resolve("relay.log"), Distribution.relayLauncher().toString(), "serve",
                "--config", relayYaml.toString());
        relay.awaitOutput("RLY-001 relay listening", Duration.ofSeconds(60));
        relay.awaitOutput(" (certificate fingerprint ", Duration.ofSeconds(10));   // RLY-002 follows RLY-001: its pin is whole once this is written
        Matcher m = FINGERPRINT.matcher(relay.output());
        assertThat(m.find()).as(relay.output()).isTrue();
        fingerprint = m.group(1);

        Path state = register();
        String agentId = AgentState.load(state).agentId();
        Path yaml = SharedDirectory.writeConfig(state, "", directory.yaml(directory.url()));
        agent = Distribution.Running.start(dir.resolve("agent.log"), Distribution.agentLauncher().toString(), "run",
                "--config", yaml.toString());
        Await.until("the agent process to connect", Duration.ofSeconds(60),
                () -> relay.output().contains("RLY-200 agent connected agent=" + agentId) || !agent.process.isAlive());
        assertThat(agent.process.isAlive()).as(agent.output()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    @Test
    void afterResetsAndChanges_noProcessHoldsAPassword() throws Exception {
        var random = new SecureRandom();
        List<String> users = SharedDirectory.users();
        for (int i = 0; i < RESETS; i++) {
            String user = users.get(i % users.size());
            String reset = password(random);
            var r = api().post("/api/v1/writeback/password-reset",
                    "{\"anchor\":\"sam:" + user + "\",\"newPassword\":\"" + reset + "\"}");
            assertThat(r.result()).as(r.text()).isEqualTo("SUCCESS");
            if (i % 3 == 2) {
                String changed = password(random);
                var c = api().post("/api/v1/writeback/password-change", "{\"anchor\":\"sam:" + user
                        + "\",\"currentPassword\":\"" + reset + "\",\"newPassword\":\"" + changed + "\"}");
                assertThat(c.result()).as(c.text()).isEqualTo("SUCCESS");
            }
        }

        Map<String, Map<String, Integer>> found = new LinkedHashMap<>();
        found.put("agent", scan(dump(agent, "agent")));
        found.put("relay", scan(dump(relay, "relay")));

        System.out.println("password-heap: " + passwords.size() + " passwords, copies found " + found);
        assertThat(found.get("agent")).as("password copies in the agent's heap by encoding").allSatisfy((k, v) ->
                assertThat(v).as(k).isZero());
        assertThat(found.get("relay")).as("password copies in the relay's heap by encoding").allSatisfy((k, v) ->
                assertThat(v).as(k).isZero());
    }

    /** A password no other string in either process can contain by chance, that meets AD complexity. */
    private static String password(SecureRandom random) {
        var sb = new StringBuilder("Hp");
        for (int i = 0; i < 12; i++) {
            sb.append("abcdefghjkmnpqrstuvwxyz23456789".charAt(random.nextInt(31)));
        }
        String p = sb.append("-7Q\u00fc").toString();   // one non-ASCII letter: Latin-1 and UTF-8 differ
        passwords.add(p);
        return p;
    }

    /** A full GC, then a dump of the live objects (what a heap dump after a crash or an attacker's read would show). */
    private static byte[] dump(Distribution.Running process, String name) throws Exception {
        long pid = process.process.pid();
        Path file = dir.resolve(name + ".hprof");
        Distribution.run(Duration.ofSeconds(60), "jcmd", Long.toString(pid), "GC.run");
        String out = Distribution.run(Duration.ofSeconds(120), "jcmd", Long.toString(pid), "GC.heap_dump", file.toString());
        assertThat(file).as(out).exists();
        try {
            return Files.readAllBytes(file);
        } finally {
            String keep = System.getProperty("passwordHeap.keepDumps");   // a folder to keep the dumps in, for analysis
            if (keep != null && !keep.isBlank()) {
                Files.createDirectories(Path.of(keep));
                Files.move(file, Path.of(keep).resolve(name + ".hprof"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(Path.of(keep).resolve("passwords.txt"), String.join("\n", passwords));
            } else {
                Files.delete(file);
            }
        }
    }

    private static Map<String, Integer> scan(byte[] heap) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Charset cs : ENCODINGS) {
            int n = 0;
            for (String p : passwords) {
                n += occurrences(heap, p.getBytes(cs));
            }
            counts.put(cs.name(), n);
        }
        return counts;
    }

    private static int occurrences(byte[] haystack, byte[] needle) {
        int count = 0;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }

    private static RelayClient api() {
        return new RelayClient(relayPort, fingerprint, apiToken);
    }

    private static Path register() {
        var t = api().post("/api/v1/agents/registration-tokens", "{}");
        Path state = dir.resolve("agent").resolve("state");
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relayPort, "--token",
                t.json().path("token").asText(), "--name", "heap", "--state-dir", state.toString(),
                "--trust-fingerprint", fingerprint);
        assertThat(code).as(out.toString()).isZero();
        return state;
    }
}
