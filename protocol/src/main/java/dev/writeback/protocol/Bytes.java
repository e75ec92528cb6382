package dev.writeback.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Checks shared by the message records: bounded strings and byte arrays. */
final class Bytes {
    private Bytes() {}

    static void checkString(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.length() > ProtocolVersion.MAX_STRING_BYTES
                || value.getBytes(StandardCharsets.UTF_8).length > ProtocolVersion.MAX_STRING_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    name + " length: over " + ProtocolVersion.MAX_STRING_BYTES + " bytes (expected: <= "
                            + ProtocolVersion.MAX_STRING_BYTES + ")");
        }
    }

    static byte[] copyExact(byte[] value, int length, String name) {
        Objects.requireNonNull(value, name);
        if (value.length != length) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    name + " length: " + value.length + " (expected: " + length + ")");
        }
        return value.clone();
    }

    static byte[] copyBounded(byte[] value, int max, String name) {
        Objects.requireNonNull(value, name);
        if (value.length > max) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    name + " length: " + value.length + " (expected: <= " + max + ")");
        }
        return value.clone();
    }

    static void checkPositive(int value, String name) {
        if (value <= 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, name + ": " + value + " (expected: > 0)");
        }
    }

    static void checkNonNegative(int value, String name) {
        if (value < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, name + ": " + value + " (expected: >= 0)");
        }
    }

    static void checkRequestId(RequestId id) {
        Objects.requireNonNull(id, "requestId");
        if (id.isZero()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "requestId: zero (expected: a request's id)");
        }
    }

    static void writeField(ByteArrayOutputStream out, byte[] field) {
        out.write(field.length >>> 24);
        out.write(field.length >>> 16);
        out.write(field.length >>> 8);
        out.write(field.length);
        out.writeBytes(field);
    }
}
