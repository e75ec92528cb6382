package dev.writeback.relay.routing;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The endpoints routing chooses from. */
public interface Endpoints {
    /** The endpoint that should take a tenant's next request, excluding the sessions already tried. */
    Optional<? extends AgentEndpoint> pick(String tenantId, Set<String> excludedSessions);

    /** Completes when a new endpoint of the tenant becomes ready (callers add their own timeout). */
    CompletableFuture<Void> nextReady(String tenantId);
}
