package dev.writeback.protocol;

/** Why a frame, a message or a link was rejected. Carried by {@link ProtocolException} and the ERROR frame. */
public enum ErrorCode {
    MALFORMED_FRAME(1),
    FRAME_TOO_LARGE(2),
    UNSUPPORTED_VERSION(3),
    UNKNOWN_FRAME_TYPE(4),
    UNEXPECTED_FRAME(5),
    AUTHENTICATION_FAILED(6),
    UNKNOWN_AGENT(7),
    BAD_TAG(8),
    UNKNOWN_KEY_VERSION(9),
    EXPIRED(10),
    REPLAYED(11),
    BUSY(12),
    INTERNAL(13),
    /** Too many failed attempts from this source address: retry later, on the normal backoff. */
    RATE_LIMITED(14);

    private final int wireValue;

    ErrorCode(int wireValue) {
        this.wireValue = wireValue;
    }

    /** The value written on the wire (two bytes, big-endian). */
    public int wireValue() {
        return wireValue;
    }

    /** Finds the code for a wire value; unknown values map to {@link #INTERNAL} so newer peers stay readable. */
    public static ErrorCode ofWireValue(int value) {
        for (ErrorCode code : values()) {
            if (code.wireValue == value) {
                return code;
            }
        }
        return INTERNAL;
    }
}
