package dev.writeback.protocol;

/** The type byte of a frame (docs/protocol.md). Values are never reused. */
public enum FrameType {
    HELLO(1),
    AUTH(2),
    READY(3),
    REQUEST(4),
    ACCEPTED(5),
    RESULT(6),
    HEARTBEAT(7),
    ROTATE_KEYS(8),
    KEYS(9),
    GOAWAY(10),
    ERROR(11),
    COMMIT(12),
    HASH_SYNC(13),
    HASH_SYNC_ACK(14);

    private final int wireValue;

    FrameType(int wireValue) {
        this.wireValue = wireValue;
    }

    /** The value written on the wire (one byte). */
    public int wireValue() {
        return wireValue;
    }

    /** Finds the type for a wire value. */
    public static FrameType ofWireValue(int value) {
        for (FrameType type : values()) {
            if (type.wireValue == value) {
                return type;
            }
        }
        throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "frame type: " + value + " (expected: 1..14)");
    }
}
