package dev.writeback.agent.link;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's WebSocket ping interval (DESIGN §3): 30 s with ±20 % jitter. When a connection dies after an
 * idle gap — a NAT or proxy that drops quiet connections — the interval halves (floor 10 s); after an hour
 * without such a drop it doubles back (ceiling 60 s). Every change is logged.
 */
final class KeepAlive {
    private static final Logger logger = LoggerFactory.getLogger(KeepAlive.class);
    static final Duration INITIAL = Duration.ofSeconds(30);
    static final Duration FLOOR = Duration.ofSeconds(10);
    static final Duration CEILING = Duration.ofSeconds(60);
    static final Duration CLEAN_PERIOD = Duration.ofHours(1);
    /** A drop counts as an idle-gap drop when nothing arrived for at least this long before it. */
    static final Duration IDLE_GAP = Duration.ofSeconds(10);

    private final Clock clock;
    private final RandomGenerator random;
    private Duration interval;
    private Instant stableSince;

    KeepAlive(Clock clock, RandomGenerator random, Duration initial) {
        this.clock = clock;
        this.random = random;
        this.interval = initial;
        this.stableSince = clock.instant();
    }

    /** The current interval, without jitter. */
    synchronized Duration interval() {
        return interval;
    }

    /** The delay until the next ping: the interval ±20 %, after applying the hourly step back up. */
    synchronized Duration nextDelay() {
        Instant now = clock.instant();
        if (interval.compareTo(CEILING) < 0 && Duration.between(stableSince, now).compareTo(CLEAN_PERIOD) >= 0) {
            Duration before = interval;
            interval = min(interval.multipliedBy(2), CEILING);
            stableSince = now;
            logger.info("AGT-121 keepalive interval raised {}s -> {}s after an hour without idle drops",
                    before.toSeconds(), interval.toSeconds());
        }
        long millis = interval.toMillis();
        long jitter = millis / 5;
        return Duration.ofMillis(millis - jitter + random.nextLong(2 * jitter + 1));
    }

    /** Called when a connection closed unexpectedly; {@code quietFor} is how long nothing had arrived. */
    synchronized void onUnexpectedClose(Duration quietFor) {
        stableSince = clock.instant();
        if (quietFor.compareTo(IDLE_GAP) < 0 || interval.compareTo(FLOOR) <= 0) {
            return;
        }
        Duration before = interval;
        interval = max(interval.dividedBy(2), FLOOR);
        logger.info("AGT-120 keepalive interval lowered {}s -> {}s: the connection dropped after {}s without traffic",
                before.toSeconds(), interval.toSeconds(), quietFor.toSeconds());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
