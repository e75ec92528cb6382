package dev.writeback.systemtests.samba;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.UUID;

/**
 * Converts between AD's raw 16-byte GUIDs (objectGUID, mS-DS-ConsistencyGuid: first three fields
 * little-endian) and {@link UUID} text. See reference/active-directory.md §2.
 */
final class Guids {
    static UUID toUuid(byte[] raw) {
        if (raw.length != 16) {
            throw new IllegalArgumentException("guid length: " + raw.length + " (expected: 16)");
        }
        ByteBuffer le = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long msb = ((long) le.getInt() << 32) | ((le.getShort() & 0xffffL) << 16) | (le.getShort() & 0xffffL);
        long lsb = ByteBuffer.wrap(raw, 8, 8).getLong();
        return new UUID(msb, lsb);
    }

    static byte[] toRaw(UUID uuid) {
        long msb = uuid.getMostSignificantBits();
        return ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) (msb >>> 32))
                .putShort((short) (msb >>> 16))
                .putShort((short) msb)
                .order(ByteOrder.BIG_ENDIAN)
                .putLong(uuid.getLeastSignificantBits())
                .array();
    }

    /** The cloud ImmutableId form: base64 of the raw bytes. */
    static String base64(byte[] raw) {
        return Base64.getEncoder().encodeToString(raw);
    }

    private Guids() {}
}
