package dev.writeback.protocol;

/** What a sealed request asks the agent to do. */
public enum Operation {
    /** Administrative reset: the caller does not know the current password. */
    RESET(1),
    /** User change: the caller proves the current password. */
    CHANGE(2),
    /** Clear a lockout without touching the password. */
    UNLOCK(3),
    /** Read an account's state and contact data for the user id a person typed; nothing is written. */
    LOOKUP(4);

    private final int wireValue;

    Operation(int wireValue) {
        this.wireValue = wireValue;
    }

    /** The value written on the wire (one byte). */
    public int wireValue() {
        return wireValue;
    }

    /** Finds the operation for a wire value. */
    public static Operation ofWireValue(int value) {
        for (Operation op : values()) {
            if (op.wireValue == value) {
                return op;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "operation: " + value + " (expected: 1, 2, 3 or 4)");
    }
}
