package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.ResultCode;

/**
 * The answer to a LOOKUP: a result code ({@code SUCCESS}, {@code USER_NOT_FOUND}, {@code MULTIPLE_MATCHES}, or a
 * relay-side failure such as {@code AGENT_OFFLINE}) and, on success, the account.
 *
 * @param requestId the operation's request id (the support code), may be empty
 * @param code the result code
 * @param account the account found, null unless {@code code} is SUCCESS
 */
public record Lookup(String requestId, ResultCode code, Account account) {
    public Lookup {
        requireNonNull(requestId, "requestId");
        requireNonNull(code, "code");
        if ((code == ResultCode.SUCCESS) != (account != null)) {
            throw new IllegalArgumentException("account: " + (account == null ? "missing" : "present")
                    + " (expected: an account exactly when code is SUCCESS, code " + code + ")");
        }
    }

    /** A lookup that found exactly one account. */
    public static Lookup found(String requestId, Account account) {
        return new Lookup(requestId, ResultCode.SUCCESS, requireNonNull(account, "account"));
    }

    /** A lookup that found no usable answer. */
    public static Lookup failed(String requestId, ResultCode code) {
        return new Lookup(requestId, code, null);
    }
}
