package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Operation;
import dev.writeback.protocol.RequestId;
import java.time.Instant;

/**
 * What routing may know of a request besides its sealed bytes: nothing secret.
 *
 * @param tenantId the tenant whose agents may take it
 * @param requestId its id (the support code)
 * @param operation what it asks for, for the audit record written before COMMIT
 * @param anchor the user it is for, as text, for the same record
 * @param expiresAt its deadline (also inside the sealed bytes, where the agent checks it)
 */
public record RequestInfo(String tenantId, RequestId requestId, Operation operation, String anchor, Instant expiresAt) {
    public RequestInfo {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(requestId, "requestId");
        requireNonNull(operation, "operation");
        requireNonNull(anchor, "anchor");
        requireNonNull(expiresAt, "expiresAt");
    }
}
