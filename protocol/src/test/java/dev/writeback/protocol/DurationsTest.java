package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void format_usesTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(12))).isEqualTo("12m");
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofDays(180))).isEqualTo("180d");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
        assertThat(Durations.format(Duration.ofSeconds(-30))).isEqualTo("-30s");
    }

    @Test
    void format_roundTripsThroughParse() {
        for (Duration d : new Duration[] {Duration.ofMillis(250), Duration.ofSeconds(75), Duration.ofMinutes(90),
                Duration.ofHours(36), Duration.ofDays(825)}) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
    }
}
