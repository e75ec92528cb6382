package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Outcome;

/**
 * How one routed request ended.
 *
 * @param agentId the agent that had it last, empty when none did
 * @param outcome what happened
 * @param retrySafe whether nothing can have been applied, so the same request may be sent again
 */
public record Routed(String agentId, Outcome outcome, boolean retrySafe) {
    public Routed {
        requireNonNull(agentId, "agentId");
        requireNonNull(outcome, "outcome");
    }
}
