package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;

/**
 * The outcome of a reset or an unlock, as the portal shows it.
 *
 * @param requestId the operation's request id, shown to the user as the support code
 * @param code the result code
 * @param reason the rule broken when {@code code} is POLICY_VIOLATION, else NONE
 */
public record WritebackResult(String requestId, ResultCode code, PolicyReason reason) {
    public WritebackResult {
        requireNonNull(requestId, "requestId");
        requireNonNull(code, "code");
        requireNonNull(reason, "reason");
    }
}
