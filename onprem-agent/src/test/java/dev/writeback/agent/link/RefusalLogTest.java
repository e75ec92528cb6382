package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private final FakeClock clock = new FakeClock();
    private final RefusalLog log = new RefusalLog(clock, Duration.ofSeconds(60));

    @Test
    void refused_logsTheFirst_thenOncePerInterval_withTheCountSinceTheLastLine() {
        assertThat(log.refused()).isEqualTo(1);
        for (int i = 0; i < 1_000; i++) {
            assertThat(log.refused()).isZero();
        }
        clock.advance(Duration.ofSeconds(59));
        assertThat(log.refused()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(log.refused()).isEqualTo(1_002);
        assertThat(log.refused()).isZero();
    }
}
