package dev.writeback.relay.net;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Limits failed token attempts per source address with a token bucket: {@code burst} failures, refilled evenly
 * over {@code window}. Callers check a credential first and come here only when it failed: while a source's bucket
 * is empty its failures are answered "too many, retry after" instead of "wrong"; a valid credential from the same
 * source is always honoured and takes nothing from the bucket, so one guesser behind a shared NAT or proxy cannot
 * lock the honest callers there out.
 */
public final class FailureLimiter {
    /** Sources tracked at most; past this, sources whose buckets are full again are forgotten. */
    static final int MAX_SOURCES = 100_000;

    private final Clock clock;
    private final int burst;
    private final double nanosPerToken;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** A limiter allowing {@code burst} failures per source, refilled evenly over {@code window}. */
    public FailureLimiter(Clock clock, int burst, Duration window) {
        if (burst <= 0) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: > 0)");
        }
        this.clock = clock;
        this.burst = burst;
        this.nanosPerToken = (double) window.toNanos() / burst;
    }

    /** How long {@code source} must wait before its next attempt; zero when it may try now. */
    public Duration retryAfter(String source) {
        Bucket bucket = buckets.get(source);
        if (bucket == null) {
            return Duration.ZERO;
        }
        synchronized (bucket) {
            bucket.refill(clock.instant());
            if (bucket.tokens >= 1) {
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) * nanosPerToken));
        }
    }

    /** Takes one token from {@code source}'s bucket; returns true when this emptied it (the source is now blocked). */
    public boolean recordFailure(String source) {
        if (buckets.size() >= MAX_SOURCES) {
            forgetRefilled();
        }
        Bucket bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, clock.instant()));
        synchronized (bucket) {
            bucket.refill(clock.instant());
            boolean wasOpen = bucket.tokens >= 1;
            bucket.tokens = Math.max(0, bucket.tokens - 1);
            return wasOpen && bucket.tokens < 1;
        }
    }

    private void forgetRefilled() {
        Instant now = clock.instant();
        buckets.values().removeIf(b -> {
            synchronized (b) {
                b.refill(now);
                return b.tokens >= burst;
            }
        });
    }

    /** Tokens left and when they were last topped up. Guarded by its own monitor. */
    private final class Bucket {
        private double tokens;
        private Instant refilledAt;

        Bucket(double tokens, Instant now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        void refill(Instant now) {
            long elapsed = Duration.between(refilledAt, now).toNanos();
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed / nanosPerToken);
                refilledAt = now;
            }
        }
    }
}
