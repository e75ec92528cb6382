package dev.writeback.protocol.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.FakeScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Polling on a fake scheduler: at once, at the poll after the condition holds, and false when the wait is over. */
class PollingTest {
    private static final Duration EVERY = Duration.ofMillis(20);
    private final FakeScheduler scheduler = new FakeScheduler(new FakeClock());

    @Test
    void aConditionThatHoldsAlready_completesAtOnce_withoutScheduling() {
        var done = Polling.until(() -> true, Duration.ofSeconds(20), EVERY, scheduler);

        assertThat(done).isCompletedWithValue(true);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void aConditionThatComesTrue_completesAtTheNextPoll() {
        var idle = new AtomicBoolean();
        var done = Polling.until(idle::get, Duration.ofSeconds(20), EVERY, scheduler);

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(done).isNotDone();

        idle.set(true);
        scheduler.advance(EVERY.minusMillis(1));
        assertThat(done).as("not asked again yet").isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(done).isCompletedWithValue(true);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void aConditionThatNeverHolds_completesFalse_whenTheWaitIsOver() {
        var asked = new AtomicInteger();
        var done = Polling.until(() -> asked.incrementAndGet() < 0, Duration.ofMillis(100), EVERY, scheduler);

        scheduler.advance(Duration.ofMillis(99));
        assertThat(done).isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(done).isCompletedWithValue(false);
        assertThat(asked).as("now and five polls").hasValue(6);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void aZeroWait_asksOnce() {
        assertThat(Polling.until(() -> false, Duration.ZERO, EVERY, scheduler)).isCompletedWithValue(false);
    }

    @Test
    void aConditionThatThrows_failsTheWait() {
        var done = Polling.until(() -> {
            throw new IllegalStateException("pool gone");
        }, Duration.ofSeconds(1), EVERY, scheduler);

        assertThat(done).isCompletedExceptionally();
        assertThatThrownBy(done::join).hasRootCauseMessage("pool gone");
    }
}
