package dev.writeback.relay;

/**
 * How much one relay takes on at once, so no client can exhaust it: open connections in all and per source
 * address, and operations waiting for the blocking pool.
 *
 * @param maxConnections open connections in all; a new one past this is closed at once
 * @param maxConnectionsPerAddress open connections from one source address; trusted proxies are exempt
 * @param blockingQueue store calls and API requests waiting for a blocking thread; past this the API answers
 *                      {@code 503 OVERLOADED}
 */
public record RelayLimits(int maxConnections, int maxConnectionsPerAddress, int blockingQueue) {
    /** Default open connections in all. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    /** Default open connections per source address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** Default length of the blocking pool's queue. */
    public static final int DEFAULT_BLOCKING_QUEUE = 1024;
    /** The defaults. */
    public static final RelayLimits DEFAULTS = new RelayLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            DEFAULT_BLOCKING_QUEUE);

    public RelayLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("limits.maxConnections: " + maxConnections + " (expected: >= 1)");
        }
        if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("limits.maxConnectionsPerAddress: " + maxConnectionsPerAddress
                    + " (expected: 1.." + maxConnections + ", limits.maxConnections)");
        }
        if (blockingQueue < 1) {
            throw new IllegalArgumentException("limits.blockingQueue: " + blockingQueue + " (expected: >= 1)");
        }
    }
}
