package dev.writeback.agent.directory;

import dev.writeback.protocol.Secret;
import java.util.Arrays;

/** Encodes a password the way AD's unicodePwd requires: surrounded by double quotes, UTF-16LE. The caller wipes it. */
final class UnicodePwd {
    private UnicodePwd() {}

    static byte[] encode(Secret password) {
        char[] chars = password.reveal();
        try {
            byte[] out = new byte[(chars.length + 2) * 2];
            put(out, 0, '"');
            for (int i = 0; i < chars.length; i++) {
                put(out, i + 1, chars[i]);
            }
            put(out, chars.length + 1, '"');
            return out;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static void put(byte[] out, int index, char c) {
        out[2 * index] = (byte) c;
        out[2 * index + 1] = (byte) (c >>> 8);
    }
}
