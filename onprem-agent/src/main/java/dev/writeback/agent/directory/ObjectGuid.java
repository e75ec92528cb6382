package dev.writeback.agent.directory;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * objectGUID / mS-DS-ConsistencyGuid values. AD stores a GUID as 16 bytes whose first three fields are
 * little-endian; the cloud ImmutableId is base64 of those bytes, while UUID text is big-endian.
 */
final class ObjectGuid {
    private static final Pattern UUID_TEXT =
            Pattern.compile("\\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}}?");

    private ObjectGuid() {}

    /** Parses base64 of the 16 raw bytes or UUID text into AD's byte layout. */
    static byte[] parse(String value) {
        String v = value.strip();
        if (UUID_TEXT.matcher(v).matches()) {
            return toAdBytes(UUID.fromString(v.replace("{", "").replace("}", "")));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("guid anchor: not base64 or UUID text (expected: 16 bytes as base64, or a UUID)");
        }
        if (bytes.length != 16) {
            throw new IllegalArgumentException("guid anchor length: " + bytes.length + " bytes (expected: 16)");
        }
        return bytes;
    }

    /** UUID text order to AD's: swaps bytes 0-3, 4-5 and 6-7. */
    static byte[] toAdBytes(UUID uuid) {
        byte[] b = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        return swap(b);
    }

    /** AD's byte layout to a UUID whose text is what AD tools print. */
    static UUID fromAdBytes(byte[] ad) {
        ByteBuffer b = ByteBuffer.wrap(swap(ad));
        return new UUID(b.getLong(), b.getLong());
    }

    private static byte[] swap(byte[] b) {
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    }
}
