package dev.writeback.protocol;

/** Version numbers and limits of the relay ⇄ agent protocol. */
public final class ProtocolVersion {
    /** The only frame version this code speaks. */
    public static final int CURRENT = 1;
    /** Largest frame (one WebSocket binary message), header included. */
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    /** Frame header: version, type, request id. */
    public static final int HEADER_BYTES = 18;
    /** Longest string field, in UTF-8 bytes. */
    public static final int MAX_STRING_BYTES = 4096;
    /** The WebSocket path agents connect to. */
    public static final String AGENT_PATH = "/agent/v1";
    /** The registration endpoint. */
    public static final String REGISTER_PATH = "/agent/v1/register";

    private ProtocolVersion() {}
}
