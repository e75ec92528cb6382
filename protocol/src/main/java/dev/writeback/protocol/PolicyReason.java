package dev.writeback.protocol;

/** Which password rule a {@link ResultCode#POLICY_VIOLATION} broke. */
public enum PolicyReason {
    NONE(0),
    TOO_SHORT(1),
    COMPLEXITY(2),
    HISTORY(3),
    MIN_AGE(4),
    OTHER(5);

    private final int wireValue;

    PolicyReason(int wireValue) {
        this.wireValue = wireValue;
    }

    /** The value written on the wire (one byte). */
    public int wireValue() {
        return wireValue;
    }

    /** Finds the reason for a wire value. */
    public static PolicyReason ofWireValue(int value) {
        for (PolicyReason reason : values()) {
            if (reason.wireValue == value) {
                return reason;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "policy reason: " + value + " (expected: 0.." + (values().length - 1) + ")");
    }
}
