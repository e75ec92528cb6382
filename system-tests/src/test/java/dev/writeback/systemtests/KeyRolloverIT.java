package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.agent.AgentState;
import dev.writeback.agent.link.RelayLink;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rollover (DESIGN §4) while resets keep flowing: on demand, on writeback disable/re-enable, and on schedule. A
 * replaced version is destroyed after the overlap on both sides: in the relay's store and in the agent's keys/.
 */
class KeyRolloverIT {
    static final Duration OVERLAP = Duration.ofSeconds(3);

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void captureLogs() {
        logs = new CapturedLogs();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        } finally {
            logs.close();
        }
    }

    @Test
    void onDemandAndOnReEnable_rotateWhileResetsSucceed_andOldKeysAreDestroyedOnBothSides() throws Exception {
        var site = Site.start(dir.resolve("on-demand"), Duration.ofDays(180));
        assertThat(site.keyVersion()).isEqualTo(1);

        try (var load = new ResetLoop(site.api)) {
            var r = site.api.post("/api/v1/agents/" + site.agentId + "/rotate-keys", "");
            assertThat(r.status()).as(r.text()).isIn(200, 202);
            Await.until("key version 2 in the status", Duration.ofSeconds(15), () -> site.keyVersion() == 2);
            load.awaitMore(5);
        }
        site.assertOnlyVersionLeft(2);

        assertThat(site.api.put("/api/v1/writeback/settings", "{\"enabled\":false,\"allowUnlockWithoutReset\":false}").status()).isEqualTo(200);
        assertThat(site.api.put("/api/v1/writeback/settings", "{\"enabled\":true,\"allowUnlockWithoutReset\":false}").status()).isEqualTo(200);
        try (var load = new ResetLoop(site.api)) {
            Await.until("key version 3 after re-enabling", Duration.ofSeconds(15), () -> site.keyVersion() == 3);
            load.awaitMore(5);
        }
        site.assertOnlyVersionLeft(3);
        Await.until("a heartbeat with key version 3", Duration.ofSeconds(10),
                () -> logs.text().lines().anyMatch(l -> l.contains("RLY-310 heartbeat agent=" + site.agentId) && l.contains("keyVersion=3")));
        // The on-call view of the same: two rollovers started and completed, none failed, none left in progress.
        Await.until("no rollover in progress", Duration.ofSeconds(10),
                () -> site.api.get("/metrics").text().contains("writeback_key_rollovers_in_progress 0.0"));
        assertThat(site.api.get("/metrics").text()).contains("writeback_key_rollovers_total{phase=\"started\"} 2.0",
                "writeback_key_rollovers_total{phase=\"completed\"} 2.0", "writeback_key_rollovers_total{phase=\"failed\"} 0.0",
                "writeback_agent_logins_refused_total{reason=\"authentication_failed\"} 0.0");
    }

    @Test
    void scheduledRotation_rollsEveryInterval_whileResetsSucceed() throws Exception {
        var site = Site.start(dir.resolve("scheduled"), Duration.ofSeconds(4));

        try (var load = new ResetLoop(site.api)) {
            Await.until("two scheduled rotations", Duration.ofSeconds(30), () -> site.keyVersion() >= 3);
            load.awaitMore(5);
        }
        assertThat(logs.text()).contains("RLY-401 key version");
        int version = site.keyVersion();
        Await.until("older versions destroyed on the relay", Duration.ofSeconds(15),
                () -> site.relay.store().keys(site.agentId).stream().allMatch(k -> k.version() >= site.keyVersion()));
        assertThat(site.relay.store().keys(site.agentId)).isNotEmpty();
        assertThat(version).isGreaterThanOrEqualTo(3);
    }

    @Test
    void rotate_agentWithTwoSessions_everySessionSwitches_andResetsOverBothSucceedAfterTheOverlap() throws Exception {
        // Regular heartbeats far apart: the second session must learn the new version from the agent's announcement.
        var site = Site.start(dir.resolve("two-sessions"), Duration.ofDays(180), OVERLAP, Duration.ofHours(1));
        var second = new RelayLink(site.agent.link().context());
        running.add(second);
        second.start();
        second.firstReady().get(30, TimeUnit.SECONDS);
        Await.until("two sessions of the agent", Duration.ofSeconds(10), () -> site.sessionKeyVersions().size() == 2);

        try (var load = new ResetLoop(site.api)) {
            load.awaitMore(4);
            assertThat(site.api.post("/api/v1/agents/" + site.agentId + "/rotate-keys", "").status()).isIn(200, 202);
            Await.until("both sessions seal with key version 2", Duration.ofSeconds(15),
                    () -> site.sessionKeyVersions().equals(List.of(2, 2)));
            site.assertOnlyVersionLeft(2);   // the agent destroyed version 1: the overlap is over
            long first = site.agent.link().stats().succeeded();
            long other = second.stats().succeeded();
            load.awaitMore(10);
            assertThat(site.agent.link().stats().succeeded()).as("resets over the first session after the overlap").isGreaterThan(first);
            assertThat(second.stats().succeeded()).as("resets over the second session after the overlap").isGreaterThan(other);
        }
        assertThat(logs.text()).contains("RLY-407 session switched key version agent=" + site.agentId);
    }

    @Test
    void agentRestartedDuringTheOverlap_destroysTheOldVersionOnceTheOverlapPassed() throws Exception {
        var overlap = Duration.ofSeconds(8);
        var site = Site.start(dir.resolve("restart"), Duration.ofDays(180), overlap, Duration.ofSeconds(2));
        assertThat(site.api.post("/api/v1/agents/" + site.agentId + "/rotate-keys", "").status()).isIn(200, 202);
        Await.until("key version 2 installed by the agent", Duration.ofSeconds(15), () -> site.keyFiles().contains("v2.wrapped"));
        site.agent.close();
        assertThat(site.keyFiles()).as("stopped within the overlap").contains("v1.rsa", "v1.wrapped");

        var restarted = Agent.start(AgentConfig.load(site.yaml));
        running.add(restarted);
        restarted.link().firstReady().get(30, TimeUnit.SECONDS);
        Await.until("agent keys/ keeps only version 2 after the overlap", overlap.plusSeconds(15),
                () -> site.keyFiles().equals(List.of("v2.rsa", "v2.wrapped")));
        var r = site.api.post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"sam:" + SharedDirectory.users().get(0) + "\",\"newPassword\":\"Restarted-" + System.nanoTime() % 100_000 + "-Zz\"}");
        assertThat(r.result()).as(r.text()).isEqualTo("SUCCESS");
    }

    /** A relay, a tenant and one agent with short key overlaps. */
    record Site(RelayServer relay, Agent agent, RelayClient api, String agentId, Path state, Path yaml) {
        static Site start(Path dir, Duration rotationInterval) throws Exception {
            return start(dir, rotationInterval, OVERLAP, Duration.ofSeconds(2));
        }

        static Site start(Path dir, Duration rotationInterval, Duration overlap, Duration heartbeat) throws Exception {
            var relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                    .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(30)).keyRotation(rotationInterval, overlap).build());
            running.add(relay::stop);
            String[] tenant = Loopback.tenant(relay, "acme");
            Path state = Loopback.register(relay, tenant[0], dir, "agent-1");
            Path yaml = SharedDirectory.writeConfig(state, "keyOverlap: " + overlap.toSeconds() + "s\n", """
                    directories:
                      - name: corp
                        type: embedded
                        embedded:
                          dataDir: embedded-directory
                          ldapPort: 0
                          ldapsPort: 0
                    """);
            Files.writeString(yaml, Files.readString(yaml).replace("heartbeatInterval: 2s", "heartbeatInterval: " + heartbeat.toSeconds() + "s"));
            var agent = Agent.start(AgentConfig.load(yaml));
            running.add(agent);
            agent.link().firstReady().get(30, java.util.concurrent.TimeUnit.SECONDS);
            return new Site(relay, agent, new RelayClient(relay.port(), relay.fingerprint(), tenant[1]),
                    AgentState.load(state).agentId(), state, yaml);
        }

        /** The key version each live session of the agent seals with, in session order. */
        List<Integer> sessionKeyVersions() {
            return relay.sessions().ofAgent(agentId).stream().map(s -> s.live(Duration.ofHours(1)).keyVersion()).toList();
        }

        int keyVersion() {
            var agents = api.get("/api/v1/writeback/status").json().path("agents");
            return agents.size() == 0 ? -1 : agents.get(0).path("keyVersion").asInt(-1);
        }

        void assertOnlyVersionLeft(int version) {
            Await.until("relay store keeps only version " + version, Duration.ofSeconds(20),
                    () -> relay.store().keys(agentId).stream().allMatch(k -> k.version() == version));
            Await.until("agent keys/ keeps only version " + version, Duration.ofSeconds(20),
                    () -> keyFiles().equals(List.of("v" + version + ".rsa", "v" + version + ".wrapped")));
            assertThat(logs.text()).contains("AGT-402 key versions below " + version + " destroyed")
                    .contains("RLY-403 destroyed");
        }

        List<String> keyFiles() {
            try (Stream<Path> files = Files.list(state.resolve("keys"))) {
                return files.map(f -> f.getFileName().toString()).sorted().toList();
            } catch (java.io.IOException e) {
                return List.of(e.toString());
            }
        }
    }

    /** Resets one after another on a background thread until closed; every one must succeed. */
    static final class ResetLoop implements AutoCloseable {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger done = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        ResetLoop(RelayClient api) {
            thread = new Thread(() -> {
                for (int i = 0; !stop.get() && i < 10_000; i++) {
                    String user = SharedDirectory.users().get(i % 3);
                    var r = api.post("/api/v1/writeback/password-reset",
                            "{\"anchor\":\"sam:" + user + "\",\"newPassword\":\"Rolled-" + i + "-" + System.nanoTime() % 100_000 + "-Zz\"}");
                    if (!r.result().equals("SUCCESS")) {
                        failures.add(r.text());
                    }
                    done.incrementAndGet();
                }
            }, "reset-loop");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitMore(int n) {
            int target = done.get() + n;
            Await.until(n + " more resets", Duration.ofSeconds(30), () -> done.get() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
            assertThat(failures).as("resets during the rollover").isEmpty();
            assertThat(done.get()).isPositive();
            System.out.printf("rollover: %d resets during the rollover, all SUCCESS%n", done.get());
        }
    }
}
