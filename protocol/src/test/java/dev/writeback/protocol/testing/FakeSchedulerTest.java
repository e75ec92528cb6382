package dev.writeback.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {
    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final List<String> ran = new ArrayList<>();

    @Test
    void tasksRunWhenTheirTimeIsReached_inOrder_atTheirOwnTime() {
        Instant start = clock.instant();
        var seen = new ArrayList<Instant>();
        scheduler.schedule(() -> { ran.add("b"); seen.add(clock.instant()); }, Duration.ofSeconds(2));
        scheduler.schedule(() -> { ran.add("a"); seen.add(clock.instant()); }, Duration.ofSeconds(1));

        scheduler.advance(Duration.ofMillis(999));
        assertThat(ran).isEmpty();
        scheduler.advance(Duration.ofSeconds(5));

        assertThat(ran).containsExactly("a", "b");
        assertThat(seen).containsExactly(start.plusSeconds(1), start.plusSeconds(2));
        assertThat(clock.instant()).isEqualTo(start.plusMillis(5_999));
    }

    @Test
    void aCancelledTask_neverRuns() {
        var handle = scheduler.schedule(() -> ran.add("x"), Duration.ofSeconds(1));
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(ran).isEmpty();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void repeat_runsAfterTheDelay_thenEveryPeriod_untilCancelled() {
        var handle = scheduler.repeat(() -> ran.add(clock.instant().toString()), Duration.ofSeconds(1), Duration.ofSeconds(10));
        scheduler.advance(Duration.ofSeconds(21));
        assertThat(ran).hasSize(3);   // at 1 s, 11 s, 21 s

        handle.cancel();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(ran).hasSize(3);
    }

    @Test
    void aTaskScheduledByATask_runsInTheSameAdvance_whenDue() {
        scheduler.schedule(() -> scheduler.schedule(() -> ran.add("second"), Duration.ofSeconds(1)), Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(ran).containsExactly("second");
    }
}
