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
 * without such a drop it doubles back (ceiling 60 s). Every change is logged. The numbers come from
 * {@link LinkTimings}, so tests can run the same logic in seconds.
 */
final class KeepAlive {
    private static final Logger logger = LoggerFactory.getLogger(KeepAlive.class);

    private final Clock clock;
    private final RandomGenerator random;
    private final Duration floor;
    private final Duration ceiling;
    private final Duration idleGap;
    private final Duration cleanPeriod;
    private Duration interval;
    private Instant stableSince;

    /** A keepalive with the given intervals (tests use seconds instead of minutes and hours). */
    KeepAlive(Clock clock, RandomGenerator random, LinkTimings timings) {
        this.clock = clock;
        this.random = random;
        this.interval = timings.keepAlive();
        this.floor = timings.keepAliveFloor();
        this.ceiling = timings.keepAliveCeiling();
        this.idleGap = timings.idleGap();
        this.cleanPeriod = timings.cleanPeriod();
        this.stableSince = clock.instant();
    }

    /** The current interval, without jitter. */
    synchronized Duration interval() {
        return interval;
    }

    /** The delay until the next ping: the interval ±20 %, after applying the hourly step back up. */
    synchronized Duration nextDelay() {
        Instant now = clock.instant();
        if (interval.compareTo(ceiling) < 0 && Duration.between(stableSince, now).compareTo(cleanPeriod) >= 0) {
            Duration before = interval;
            interval = min(interval.multipliedBy(2), ceiling);
            stableSince = now;
            logger.info("AGT-121 keepalive interval raised {}ms -> {}ms after {} without idle drops",
                    before.toMillis(), interval.toMillis(), cleanPeriod);
        }
        long millis = interval.toMillis();
        long jitter = millis / 5;
        return Duration.ofMillis(millis - jitter + random.nextLong(2 * jitter + 1));
    }

    /** Called when a connection closed unexpectedly; {@code quietFor} is how long nothing had arrived. */
    synchronized void onUnexpectedClose(Duration quietFor) {
        stableSince = clock.instant();
        if (quietFor.compareTo(idleGap) < 0) {
            return;
        }
        if (interval.compareTo(floor) <= 0) {
            logger.warn("AGT-122 the connection dropped after {}ms without traffic although the keepalive is at its floor of {}ms;"
                    + " something between agent and relay cuts connections faster", quietFor.toMillis(), floor.toMillis());
            return;
        }
        Duration before = interval;
        interval = max(interval.dividedBy(2), floor);
        logger.info("AGT-120 keepalive interval lowered {}ms -> {}ms: the connection dropped after {}ms without traffic",
                before.toMillis(), interval.toMillis(), quietFor.toMillis());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
