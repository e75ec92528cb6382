package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.Agent;
import dev.writeback.relay.store.StoreSettings;
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
 * A relay whose store is PostgreSQL, with the server going away under it and coming back: while it is down the
 * node says so in {@code /readyz} and answers a reset with a clear error within the request's deadline (nothing
 * hangs, nothing is applied); once it is back, the same node serves again without a restart. The server is a
 * private cluster of this test (system-tests/postgres/postgres.sh on its own port and directory), so stopping it
 * touches no other test.
 */
class PostgresRestartIT {
    private static final String SCRIPT = "postgres/postgres.sh";
    private static final String PORT = "15436";

    @TempDir
    static Path dir;

    static Path work;
    static EnvFile env;
    static SharedDirectory directory;
    static LoopbackStack stack;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        boolean canRun = "root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of("/usr/lib/postgresql"));
        if (!canRun) {
            String why = "needs root and Debian's postgresql (test.sh installs it)";
            if ("true".equalsIgnoreCase(System.getenv("CI")) && System.getenv("WRITEBACK_SKIP_POSTGRES") == null) {
                Assertions.fail("CI=true needs PostgresRestartIT (set WRITEBACK_SKIP_POSTGRES=1 to skip it): " + why);
            }
            Assumptions.abort(why);
        }
        work = Path.of("target/postgres-restart").toAbsolutePath();
        script("up");
        env = EnvFile.load("postgres env", work.resolve("env"));
        var store = new StoreSettings(env.get("PG_URL"), env.get("PG_USER"), env.path("PG_PASSWORD_FILE"), null, 4);
        directory = SharedDirectory.start(dir.resolve("directory"));
        stack = LoopbackStack.start(dir.resolve("stack"), store);
        agent = stack.agent("agent-1", directory.yaml(directory.url()).replaceFirst("^directories:\n", ""));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
            if (directory != null) {
                directory.close();
            }
        } finally {
            if (work != null) {
                script("clean");
            }
        }
    }

    /** Runs postgres.sh with this test's port and directory; fails with its output when it fails. */
    private static void script(String command) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(SCRIPT, command).redirectErrorStream(true);
        pb.environment().put("PG_TEST_WORK_DIR", work.toString());
        pb.environment().put("PG_TEST_PORT", PORT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("postgres.sh %s finished", command).isTrue();
        assertThat(p.exitValue()).as("postgres.sh %s: %s", command, out).isZero();
    }

    @Test
    void theStoreGoingAway_isReportedAndAnsweredClearly_andTheNodeServesAgainWhenItIsBack() throws Exception {
        assertThat(stack.reset("sam:ada", "Before-Outage-41", "").status()).isEqualTo(200);
        assertThat(stack.get("/readyz").status()).isEqualTo(200);
        int history = directory.historySizes().get("ada");

        script("stop");

        Await.until("/readyz to say 503", Duration.ofSeconds(30), () -> stack.get("/readyz").status() == 503);
        long started = System.nanoTime();
        var down = stack.reset("sam:ada", "During-Outage-59", "");
        long answeredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(down.status()).as("a reset while the store is down: %s", down.text()).isEqualTo(503);
        assertThat(down.text()).doesNotContain("During-Outage-59");
        assertThat(answeredAfter).as("answered within the request timeout (15 s), not hung").isLessThan(15_000);

        script("start");

        Await.until("/readyz to say 200 again", Duration.ofSeconds(30), () -> stack.get("/readyz").status() == 200);
        var after = stack.reset("sam:ada", "After-Outage-73", "");
        assertThat(after.status()).as(after.text()).isEqualTo(200);
        assertThat(agent.link().connected()).as("the agent's link stayed up throughout").isTrue();
        assertThat(directory.historySizes().get("ada")).as("only the reset after the outage was applied")
                .isEqualTo(history + 1);
        System.out.printf("postgres restart: a reset during the outage answered %d after %d ms: %s%n", down.status(),
                answeredAfter, down.text());
    }
}
