package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

/** A frame, message or envelope that broke the protocol. The message never contains a secret. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** Creates an exception with a stable code and a message such as {@code "frame length: 70000 (expected: <= 65536)"}. */
    public ProtocolException(ErrorCode code, String message) {
        super(requireNonNull(code, "code") + ": " + requireNonNull(message, "message"));
        this.code = code;
    }

    /** Same, with the cause that triggered it. */
    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(requireNonNull(code, "code") + ": " + requireNonNull(message, "message"), cause);
        this.code = code;
    }

    /** The stable code. */
    public ErrorCode code() {
        return code;
    }
}
