package dev.writeback.protocol.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it. Thread-safe: the code under test may read it from
 * event-loop threads while the test advances it. Clocks from {@link #withZone(ZoneId)} share the same time.
 */
public final class FakeClock extends Clock {
    /** Where a clock made by {@link #FakeClock()} starts: 2025-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** A clock at {@link #DEFAULT_START}, in UTC. */
    public FakeClock() {
        this(DEFAULT_START);
    }

    /** A clock at {@code start}, in UTC. */
    public FakeClock(Instant start) {
        this(new AtomicReference<>(requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** Moves the clock forward (or back, for a negative duration) and returns the new time. */
    public Instant advance(Duration duration) {
        requireNonNull(duration, "duration");
        return now.updateAndGet(t -> t.plus(duration));
    }

    /** Moves the clock forward by {@code millis} and returns the new time. */
    public Instant advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        requireNonNull(zone, "zone");
        return zone.equals(this.zone) ? this : new FakeClock(now, zone);
    }

    @Override
    public String toString() {
        return "FakeClock[" + now.get() + ", " + zone + "]";
    }
}
