package dev.writeback.portal;

import dev.writeback.protocol.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An {@code application/x-www-form-urlencoded} body, decoded without making a {@code String} of the fields named
 * secret: those become {@link Secret}s straight from the decoded bytes, which are then wiped.
 */
final class FormBody implements AutoCloseable {
    /** Most fields one form may have. */
    static final int MAX_FIELDS = 16;

    private final Map<String, String> fields;
    private final Map<String, Secret> secrets;

    private FormBody(Map<String, String> fields, Map<String, Secret> secrets) {
        this.fields = fields;
        this.secrets = secrets;
    }

    /** Decodes {@code body}; a field in {@code secretNames} becomes a {@link Secret}. Duplicates keep the first. */
    static FormBody parse(byte[] body, Set<String> secretNames) {
        var fields = new HashMap<String, String>();
        var secrets = new HashMap<String, Secret>();
        int start = 0;
        int count = 0;
        while (start < body.length && count < MAX_FIELDS) {
            int end = indexOf(body, (byte) '&', start);
            int eq = indexOf(body, (byte) '=', start);
            if (eq < 0 || eq > end) {
                eq = end;
            }
            String name = new String(decode(body, start, eq), StandardCharsets.UTF_8);
            byte[] value = eq < end ? decode(body, eq + 1, end) : new byte[0];
            if (secretNames.contains(name)) {
                secrets.putIfAbsent(name, Secret.fromUtf8(value));
            } else {
                fields.putIfAbsent(name, new String(value, StandardCharsets.UTF_8));
            }
            Arrays.fill(value, (byte) 0);
            start = end + 1;
            count++;
        }
        return new FormBody(fields, secrets);
    }

    /** A field's value, or "" when absent. */
    String field(String name) {
        return fields.getOrDefault(name, "");
    }

    /** A secret field, empty when absent; the form owns it and wipes it on {@link #close()}. */
    Secret secret(String name) {
        return secrets.computeIfAbsent(name, n -> Secret.of(new char[0]));
    }

    @Override
    public void close() {
        secrets.values().forEach(Secret::close);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static byte[] decode(byte[] bytes, int from, int to) {
        byte[] buffer = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '+') {
                buffer[n++] = ' ';
            } else if (b == '%' && i + 2 < to && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                buffer[n++] = (byte) (hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            } else {
                buffer[n++] = b;
            }
        }
        byte[] decoded = Arrays.copyOf(buffer, n);
        Arrays.fill(buffer, (byte) 0);
        return decoded;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
