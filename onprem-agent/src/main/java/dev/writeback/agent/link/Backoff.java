package dev.writeback.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays with exponential backoff and full jitter (delay = random(0, min(cap, base * 2^attempt))),
 * base 1 s, cap 30 s; after the relay refused authentication the cap is 5 minutes until a connection succeeds.
 */
final class Backoff {
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofSeconds(30);
    static final Duration AUTH_REJECTED_CAP = Duration.ofMinutes(5);

    private final RandomGenerator random;
    private int attempt;
    private boolean authRejected;

    Backoff(RandomGenerator random) {
        this.random = random;
    }

    /** The delay before the next connection attempt. */
    synchronized Duration next() {
        long cap = (authRejected ? AUTH_REJECTED_CAP : CAP).toMillis();
        long ceiling = Math.min(cap, BASE.toMillis() << Math.min(attempt, 20));
        attempt++;
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }

    /** The largest delay {@link #next()} can return now. */
    synchronized Duration ceiling() {
        long cap = (authRejected ? AUTH_REJECTED_CAP : CAP).toMillis();
        return Duration.ofMillis(Math.min(cap, BASE.toMillis() << Math.min(attempt, 20)));
    }

    /** After a connection stayed up long enough: start again from the base delay. */
    synchronized void reset() {
        attempt = 0;
        authRejected = false;
    }

    /** After the relay refused authentication: back off further (up to 5 minutes). */
    synchronized void authRejected() {
        authRejected = true;
        attempt = Math.max(attempt, 5);
    }
}
