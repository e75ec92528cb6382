package dev.writeback.agent.link;

/**
 * The agent's own ceiling on requests held at once (accepted and not yet answered), whatever the relay announces
 * in READY: the lower of {@code maxRequests} and the relay's {@code maxInFlight} applies, and the sealed bytes held
 * may not exceed {@code maxBytes}. A request over either is answered BUSY.
 *
 * @param maxRequests requests held at once ({@code limits.maxInFlight}, default 256)
 * @param maxBytes sealed request bytes held at once ({@code limits.maxInFlightBytes}, default 4 MiB)
 */
public record InFlightLimits(int maxRequests, long maxBytes) {
    /** {@code limits.maxInFlight} when unset. */
    public static final int DEFAULT_MAX_REQUESTS = 256;
    /** {@code limits.maxInFlightBytes} when unset: 4 MiB, 64 requests of the largest frame. */
    public static final long DEFAULT_MAX_BYTES = 4L << 20;
    /** The highest {@code limits.maxInFlight}. */
    public static final int MAX_REQUESTS = 65_535;
    /** The lowest {@code limits.maxInFlightBytes}: one request of the largest frame must fit. */
    public static final long MIN_BYTES = 64L << 10;
    /** The highest {@code limits.maxInFlightBytes}. */
    public static final long MAX_BYTES = 1L << 30;

    public InFlightLimits {
        if (maxRequests < 1 || maxRequests > MAX_REQUESTS) {
            throw new IllegalArgumentException("maxInFlight: " + maxRequests + " (expected: 1.." + MAX_REQUESTS + ")");
        }
        if (maxBytes < MIN_BYTES || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("maxInFlightBytes: " + maxBytes + " (expected: " + MIN_BYTES + ".." + MAX_BYTES + ")");
        }
    }

    /** 256 requests, 4 MiB. */
    public static InFlightLimits defaults() {
        return new InFlightLimits(DEFAULT_MAX_REQUESTS, DEFAULT_MAX_BYTES);
    }

    /** The request cap for a session whose relay announced {@code announced}. */
    int cap(int announced) {
        return Math.min(announced, maxRequests);
    }
}
