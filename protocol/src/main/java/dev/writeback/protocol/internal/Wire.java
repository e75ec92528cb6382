package dev.writeback.protocol.internal;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounded primitives of the wire format: u8, u16, u32, i64, strings and byte fields with a u16 length
 * prefix. Every read checks that the bytes are there and within limits, and fails with MALFORMED_FRAME.
 */
public final class Wire {
    private Wire() {}

    /** Reads an unsigned byte. */
    public static int u8(ByteBuf in, String field) {
        need(in, 1, field);
        return in.readUnsignedByte();
    }

    /** Reads an unsigned 16-bit big-endian integer. */
    public static int u16(ByteBuf in, String field) {
        need(in, 2, field);
        return in.readUnsignedShort();
    }

    /** Reads a 32-bit big-endian integer that must not be negative. */
    public static int u31(ByteBuf in, String field) {
        need(in, 4, field);
        int v = in.readInt();
        if (v < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, field + ": " + (v & 0xffffffffL) + " (expected: <= 2147483647)");
        }
        return v;
    }

    /** Reads a signed 64-bit big-endian integer. */
    public static long i64(ByteBuf in, String field) {
        need(in, 8, field);
        return in.readLong();
    }

    /** Reads a boolean byte (0 or 1). */
    public static boolean bool(ByteBuf in, String field) {
        int v = u8(in, field);
        if (v > 1) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, field + ": " + v + " (expected: 0 or 1)");
        }
        return v == 1;
    }

    /** Reads a UTF-8 string with a u16 length prefix, at most {@link ProtocolVersion#MAX_STRING_BYTES}. */
    public static String string(ByteBuf in, String field) {
        int length = u16(in, field + " length");
        if (length > ProtocolVersion.MAX_STRING_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    field + " length: " + length + " (expected: <= " + ProtocolVersion.MAX_STRING_BYTES + ")");
        }
        need(in, length, field);
        try {
            // strict: a malformed sequence is an error, not a silent U+FFFD, so every frame has one encoding
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in.nioBuffer(in.readerIndex(), length))
                    .toString();
            in.skipBytes(length);
            return s;
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, field + ": invalid UTF-8 (expected: UTF-8 text)");
        }
    }

    /** Reads bytes with a u16 length prefix, at most {@code max}. */
    public static byte[] bytes(ByteBuf in, int max, String field) {
        int length = u16(in, field + " length");
        if (length > max) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, field + " length: " + length + " (expected: <= " + max + ")");
        }
        return fixed(in, length, field);
    }

    /** Reads exactly {@code length} bytes. */
    public static byte[] fixed(ByteBuf in, int length, String field) {
        need(in, length, field);
        byte[] b = new byte[length];
        in.readBytes(b);
        return b;
    }

    /** Fails unless every byte was consumed. */
    public static void end(ByteBuf in, String what) {
        if (in.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    what + ": " + in.readableBytes() + " trailing bytes (expected: 0)");
        }
    }

    /** Writes a UTF-8 string with a u16 length prefix. */
    public static void writeString(ByteBuf out, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length > ProtocolVersion.MAX_STRING_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "string length: " + b.length + " (expected: <= " + ProtocolVersion.MAX_STRING_BYTES + ")");
        }
        out.writeShort(b.length).writeBytes(b);
    }

    /** Writes bytes with a u16 length prefix. */
    public static void writeBytes(ByteBuf out, byte[] value) {
        if (value.length > 0xffff) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "field length: " + value.length + " (expected: <= 65535)");
        }
        out.writeShort(value.length).writeBytes(value);
    }

    private static void need(ByteBuf in, int n, String field) {
        if (in.readableBytes() < n) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    field + ": " + in.readableBytes() + " bytes left (expected: >= " + n + ")");
        }
    }
}
