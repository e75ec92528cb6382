package dev.writeback.relay.routing;

/**
 * Somewhere a sealed request can be delivered to one agent: a session on this relay node (and, later, a
 * session held by another node). Routing chooses among endpoints, seals for the chosen one and hands it an
 * {@link InFlight}; the endpoint carries frames and reports what happened to it, and the {@code InFlight} decides
 * what that means.
 */
public interface AgentEndpoint {
    /** The agent's id. */
    String agentId();

    /** The connection's id (one agent may hold several). */
    String sessionId();

    /** The key to seal for this endpoint now. */
    SealingKey sealingKey();

    /**
     * Delivers a request sealed with {@link #sealingKey()} (from any thread). The endpoint reports each step to
     * {@code flight}, which ends exactly once.
     */
    void deliver(InFlight flight);
}
