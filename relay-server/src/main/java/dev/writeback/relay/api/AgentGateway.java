package dev.writeback.relay.api;

import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.relay.agent.LiveAgent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the REST API needs from the live relay: deliver operations to agents and report their state. */
public interface AgentGateway {
    /**
     * Seals {@code request} for one healthy agent of the tenant and completes with its outcome. Never completes
     * exceptionally: offline, busy, timeout and lost connections are outcomes (AGENT_OFFLINE, BUSY, TIMEOUT,
     * OUTCOME_UNKNOWN), and a routing that gives no outcome within the deadline plus a slack is OUTCOME_UNKNOWN.
     * Call it on the blocking pool. The caller keeps ownership of the passwords and wipes them after completion.
     */
    CompletableFuture<Delivery> submit(String tenantId, RequestId requestId, PasswordRequest request);

    /** The agents of a tenant that hold a live session now. */
    List<LiveAgent> live(String tenantId);

    /** Starts a key rollover for a connected agent; false when it is not connected. */
    boolean rotateKeys(String agentId);

    /** Closes the agent's sessions (after it was deleted). */
    void disconnect(String agentId, String reason);

    /** Why this node cannot serve now besides its store (its cluster link is down), or null when nothing stops it. */
    default String notReadyBecause() {
        return null;
    }
}
