package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void next_growsExponentially_withFullJitter_cappedAt30s() {
        var backoff = new Backoff(new SplittableRandom(7));
        long[] ceilings = {1, 2, 4, 8, 16, 30, 30, 30};
        for (long ceiling : ceilings) {
            assertThat(backoff.ceiling()).isEqualTo(Duration.ofSeconds(ceiling));
            assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofSeconds(ceiling));
        }
    }

    @Test
    void authRejected_raisesTheCapToFiveMinutes_untilReset() {
        var backoff = new Backoff(new SplittableRandom(7));
        backoff.authRejected();
        for (int i = 0; i < 20; i++) {
            assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofMinutes(5));
        }
        assertThat(backoff.ceiling()).isEqualTo(Duration.ofMinutes(5));

        backoff.reset();

        assertThat(backoff.ceiling()).isEqualTo(Duration.ofSeconds(1));
    }
}
