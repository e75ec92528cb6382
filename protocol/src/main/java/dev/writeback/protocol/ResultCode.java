package dev.writeback.protocol;

/**
 * The outcome of one password operation, as the agent reports it and the REST API returns it.
 * Each code has a stable wire value (never reused) and the HTTP status the relay maps it to.
 */
public enum ResultCode {
    SUCCESS(0, 200),
    USER_NOT_FOUND(1, 422),
    MULTIPLE_MATCHES(2, 422),
    PROTECTED_ACCOUNT(3, 422),
    ACCOUNT_DISABLED(4, 422),
    WRONG_CURRENT_PASSWORD(5, 422),
    POLICY_VIOLATION(6, 422),
    ACCESS_DENIED(7, 422),
    UNLOCK_NOT_ALLOWED(8, 422),
    WRITEBACK_DISABLED(9, 503),
    AGENT_OFFLINE(10, 503),
    BUSY(11, 503),
    DIRECTORY_UNAVAILABLE(12, 503),
    EXPIRED(13, 504),
    REJECTED_MESSAGE(14, 502),
    TIMEOUT(15, 504),
    OUTCOME_UNKNOWN(16, 504),
    INTERNAL_ERROR(17, 500),
    /** A change (or a user's own bind) refused because the account is locked out. */
    ACCOUNT_LOCKED(18, 422),
    /** The directory type cannot answer this operation (for example LOOKUP on a directory without it). */
    NOT_SUPPORTED(19, 501);

    private final int wireValue;
    private final int httpStatus;

    ResultCode(int wireValue, int httpStatus) {
        this.wireValue = wireValue;
        this.httpStatus = httpStatus;
    }

    /** The value written on the wire (two bytes, big-endian). */
    public int wireValue() {
        return wireValue;
    }

    /** The HTTP status the REST API answers with for this code. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Whether this code, as an agent reports it (or as the relay answers before routing), says nothing was applied
     * and the same request may be sent again. For a request that ended in flight the relay decides from where it
     * stood instead (a TIMEOUT before any agent accepted it is retry-safe): see the relay's {@code InFlight}.
     */
    public boolean retrySafe() {
        return this == AGENT_OFFLINE || this == BUSY || this == DIRECTORY_UNAVAILABLE
                || this == WRITEBACK_DISABLED || this == EXPIRED;
    }

    /** Finds the code for a wire value. */
    public static ResultCode ofWireValue(int value) {
        for (ResultCode code : values()) {
            if (code.wireValue == value) {
                return code;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "result code: " + value + " (expected: 0.." + (values().length - 1) + ")");
    }
}
