package dev.writeback.relay.net;

import dev.writeback.protocol.testing.FakeClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureLimiterTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final FailureLimiter limiter = new FailureLimiter(clock, 3, Duration.ofSeconds(30));

    @Test
    void retryAfter_unknownSource_isZero() {
        assertThat(limiter.retryAfter("192.0.2.1")).isZero();
    }

    @Test
    void recordFailure_reportsTheFailureThatEmptiesTheBucket() {
        assertThat(limiter.recordFailure("a")).isFalse();
        assertThat(limiter.recordFailure("a")).isFalse();
        assertThat(limiter.recordFailure("a")).isTrue();
        assertThat(limiter.retryAfter("a")).isEqualTo(Duration.ofSeconds(10));
        assertThat(limiter.retryAfter("b")).isZero();
    }

    @Test
    void bucket_refillsEvenlyWithTheClock() {
        for (int i = 0; i < 3; i++) {
            limiter.recordFailure("a");
        }
        clock.advance(Duration.ofSeconds(4));
        assertThat(limiter.retryAfter("a")).isEqualTo(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        assertThat(limiter.retryAfter("a")).isZero();
        assertThat(limiter.recordFailure("a")).isTrue();
    }

    @Test
    void bucket_neverHoldsMoreThanTheBurst() {
        clock.advance(Duration.ofHours(1));
        limiter.recordFailure("a");
        clock.advance(Duration.ofHours(1));
        limiter.recordFailure("a");
        limiter.recordFailure("a");
        assertThat(limiter.recordFailure("a")).isTrue();
    }
}
