package dev.writeback.systemtests;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The real time plus an offset that a test moves forward: time passes as usual for deadlines, keep-alives and
 * freshness checks, and a test jumps over a day without waiting. Give the same instance to relay and agent, so
 * the agent's freshness check of the relay's requests agrees with the relay.
 */
public final class ShiftedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    /** Moves this clock forward by {@code duration}; returns the new time. */
    public Instant advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: not negative)");
        }
        offset = offset.plus(duration);
        return instant();
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "ShiftedClock[offset=" + offset + "]";
    }
}
