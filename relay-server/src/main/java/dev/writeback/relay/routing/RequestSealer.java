package dev.writeback.relay.routing;

/**
 * Seals one request for the agent routing chose. The caller that holds the plaintext implements it; routing
 * calls it once per agent it tries (so a retry on another agent is sealed afresh for that agent) and keeps only
 * what it returns. {@link Router} calls it on the blocking pool, never on an event loop.
 */
@FunctionalInterface
public interface RequestSealer {
    /** The request sealed with {@code key}; throws when it cannot be sealed. */
    SealedRequest seal(SealingKey key);
}
