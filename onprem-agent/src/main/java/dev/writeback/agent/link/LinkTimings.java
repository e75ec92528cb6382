package dev.writeback.agent.link;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The link's clocks (DESIGN §3): the keepalive ping interval it starts from, the floor and ceiling the adaptive
 * interval moves between, how quiet a connection must have been for a drop to count as an idle-gap drop, how long
 * the relay may stay silent before the agent reconnects, and how long a replaced key version is kept.
 *
 * @param keepAlive the ping interval to start from (30 s)
 * @param keepAliveFloor the lowest interval after idle-gap drops (10 s)
 * @param keepAliveCeiling the highest interval after clean hours (60 s)
 * @param idleGap a drop after at least this long without inbound traffic lowers the interval (10 s)
 * @param cleanPeriod how long without an idle-gap drop before the interval doubles back (1 h)
 * @param deadPeer reconnect when nothing arrived from the relay for this long (75 s)
 * @param keyOverlap how long a replaced key version is kept before it is destroyed (3 min)
 */
public record LinkTimings(Duration keepAlive, Duration keepAliveFloor, Duration keepAliveCeiling, Duration idleGap,
                          Duration cleanPeriod, Duration deadPeer, Duration keyOverlap) {
    public LinkTimings {
        positive(keepAlive, "keepAlive");
        positive(keepAliveFloor, "keepAliveFloor");
        positive(keepAliveCeiling, "keepAliveCeiling");
        positive(idleGap, "idleGap");
        positive(cleanPeriod, "cleanPeriod");
        positive(deadPeer, "deadPeer");
        positive(keyOverlap, "keyOverlap");
        if (keepAliveFloor.compareTo(keepAlive) > 0 || keepAlive.compareTo(keepAliveCeiling) > 0) {
            throw new IllegalArgumentException("keepAlive: " + keepAlive + " (expected: between floor " + keepAliveFloor
                    + " and ceiling " + keepAliveCeiling + ")");
        }
        if (deadPeer.compareTo(keepAlive) <= 0) {
            throw new IllegalArgumentException("deadPeer: " + deadPeer + " (expected: > keepAlive " + keepAlive + ")");
        }
    }

    /** The production values of DESIGN §3. */
    public static LinkTimings defaults() {
        return new LinkTimings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofHours(1), Duration.ofSeconds(75), Duration.ofMinutes(3));
    }

    /** A copy with another keepalive start, floor and idle-gap threshold. */
    public LinkTimings withKeepAlive(Duration interval, Duration floor, Duration gap) {
        return new LinkTimings(interval, floor, keepAliveCeiling.compareTo(interval) < 0 ? interval : keepAliveCeiling, gap,
                cleanPeriod, deadPeer, keyOverlap);
    }

    /** A copy with another dead-peer timeout. */
    public LinkTimings withDeadPeer(Duration timeout) {
        return new LinkTimings(keepAlive, keepAliveFloor, keepAliveCeiling, idleGap, cleanPeriod, timeout, keyOverlap);
    }

    /** A copy with another key overlap. */
    public LinkTimings withKeyOverlap(Duration overlap) {
        return new LinkTimings(keepAlive, keepAliveFloor, keepAliveCeiling, idleGap, cleanPeriod, deadPeer, overlap);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
