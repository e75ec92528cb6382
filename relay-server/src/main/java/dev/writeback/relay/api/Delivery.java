package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;

/**
 * The end of one submitted operation.
 *
 * @param requestId the support code
 * @param agentId the agent that handled it, empty when none did
 * @param outcome what happened
 * @param retrySafe whether nothing can have been applied, so a caller may send the same request again (decided by
 *                  {@link dev.writeback.relay.routing.InFlight} from the state the request ended in)
 */
public record Delivery(RequestId requestId, String agentId, Outcome outcome, boolean retrySafe) {
    public Delivery {
        requireNonNull(requestId, "requestId");
        requireNonNull(agentId, "agentId");
        requireNonNull(outcome, "outcome");
    }
}
