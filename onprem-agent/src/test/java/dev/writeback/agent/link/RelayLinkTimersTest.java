package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.AgentKeys;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.FakeScheduler;
import dev.writeback.protocol.time.Scheduler;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link's own waits on a scheduler the test drives: reconnecting after a refused connection with a growing
 * backoff, no dialing once closed, and destroying key versions left from a rollover only after the overlap.
 * The relay address is a loopback port nobody listens on, so each connection attempt is refused at once.
 */
class RelayLinkTimersTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path state;

    private final FakeScheduler fake = new FakeScheduler(new FakeClock());
    /** The delay of every wait the link scheduled, in order. */
    private final BlockingQueue<Duration> scheduled = new LinkedBlockingQueue<>();
    private final Scheduler recording = (task, delay) -> {
        var cancellable = fake.schedule(task, delay);
        scheduled.add(delay);   // after: once the test sees the delay, advancing the clock runs the task
        return cancellable;
    };
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private RelayLink link;

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        workers.shutdownNow();
    }

    private RelayLink link(int keyVersions) throws Exception {
        for (int v = 1; v <= keyVersions; v++) {
            var rsa = AgentKeys.newVersion(state, v, RANDOM);
            try (var key = PackageKey.generate(v, RANDOM)) {
                AgentKeys.completeVersion(state, v, RsaOaep.wrap(key, rsa.getPublic(), RANDOM));
            }
        }
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var context = new LinkContext(URI.create("https://127.0.0.1:" + closedPort),
                new RelayTrust("SHA256:" + "00:".repeat(31) + "00", null), null, "tenant-1", "agent-1", "1.0-test",
                KeyPairs.newIdentityKeyPair(RANDOM).getPrivate(), AgentKeys.load(state), state,
                request -> Outcome.of(ResultCode.SUCCESS, ""), List::of, workers, null, fake.clock(), RANDOM, null, null);
        link = new RelayLink(context, recording);
        return link;
    }

    /** The next wait the link schedules; the refusal that causes it arrives on the link's event loop. */
    private Duration nextWait() throws InterruptedException {
        Duration d = scheduled.poll(10, TimeUnit.SECONDS);
        assertThat(d).as("the link scheduled a wait").isNotNull();
        return d;
    }

    @Test
    void aRefusedConnection_isRetriedAfterTheBackoff_whichGrows_andStopsWhenClosed() throws Exception {
        link(1).start();

        Duration first = nextWait();
        assertThat(first).as("first retry within the base delay").isBetween(Duration.ZERO, Backoff.BASE);
        assertThat(link.connected()).isFalse();

        fake.advance(first);   // dials again, on this thread; refused again
        Duration second = nextWait();
        assertThat(second).as("second retry within twice the base").isBetween(Duration.ZERO, Backoff.BASE.multipliedBy(2));

        fake.advance(second);
        Duration third = nextWait();
        assertThat(third).isBetween(Duration.ZERO, Backoff.BASE.multipliedBy(4));

        link.close();
        fake.advance(third);   // the retry finds the link closed and does not dial
        assertThat(scheduled).as("nothing scheduled after close").isEmpty();
        assertThat(fake.pending()).isZero();
    }

    @Test
    void keyVersionsLeftFromARollover_areDestroyedOnlyAfterTheOverlap() throws Exception {
        var link = link(2);
        Duration overlap = link.context().timings().keyOverlap();

        link.start();   // schedules the destruction before it dials

        assertThat(nextWait()).as("the first wait is the key overlap").isEqualTo(overlap);
        assertThat(AgentKeys.load(state).oldestVersion()).isEqualTo(1);

        fake.advance(overlap.minusMillis(1));
        assertThat(AgentKeys.load(state).oldestVersion()).as("one millisecond before the overlap ends").isEqualTo(1);

        fake.advance(Duration.ofMillis(1));
        assertThat(AgentKeys.load(state).oldestVersion()).as("at the overlap's end").isEqualTo(2);
        assertThat(AgentKeys.load(state).currentVersion()).isEqualTo(2);
    }
}
