package dev.writeback.relay.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.writeback.protocol.Secret;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads flat JSON request bodies with Jackson's streaming parser, strictly: one object, known fields only, each
 * once, with the expected type. Passwords go from the parser's character buffer straight into a {@link Secret};
 * no {@code String} of them is made. Error messages name the field and never echo a value (Jackson's own messages
 * quote the input, so they are never passed on).
 */
final class JsonBody {
    /** Reads the value the parser is positioned on for one field. */
    @FunctionalInterface
    interface FieldReader {
        void read(String field, JsonParser parser) throws IOException;
    }

    // Buffers are not recycled between parsers: a recycled buffer would carry a password into the next request.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
            .build();

    private JsonBody() {}

    /** Reads one JSON object whose fields must be among {@code allowed}; {@code reader} gets each value. */
    static void read(byte[] json, List<String> allowed, FieldReader reader) {
        Set<String> seen = new HashSet<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid("body", "body: not a JSON object (expected: a JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!allowed.contains(name)) {
                    String shown = shown(name);
                    throw ApiException.invalid(shown, shown + ": unknown field (expected: one of "
                            + String.join(", ", allowed) + ")");
                }
                if (!seen.add(name)) {
                    throw ApiException.invalid(name, name + ": given twice (expected: once)");
                }
                p.nextToken();
                reader.read(name, p);
            }
            if (p.nextToken() != null) {
                throw ApiException.invalid("body", "body: content after the JSON object (expected: one JSON object)");
            }
        } catch (IOException e) {
            throw ApiException.invalid("body", "body: not valid JSON (expected: a JSON object)");
        }
    }

    /** Fails with the message for a required field that was not given. */
    static ApiException missing(String field, String expected) {
        return ApiException.invalid(field, field + ": missing (expected: " + expected + ")");
    }

    static String string(JsonParser p, String field, int maxChars) throws IOException {
        expect(p, JsonToken.VALUE_STRING, field, "a string");
        if (p.getTextLength() > maxChars) {
            throw ApiException.invalid(field, field + " length: " + p.getTextLength() + " (expected: <= "
                    + maxChars + ")");
        }
        return p.getText();
    }

    /** A password field: a non-empty string of at most {@code maxChars} UTF-16 characters. */
    static Secret secret(JsonParser p, String field, int maxChars) throws IOException {
        expect(p, JsonToken.VALUE_STRING, field, "a string");
        int length = p.getTextLength();
        if (length == 0) {
            throw ApiException.invalid(field, field + ": empty (expected: 1 to " + maxChars + " characters)");
        }
        if (length > maxChars) {
            throw ApiException.invalid(field, field + " length: " + length + " (expected: <= " + maxChars + ")");
        }
        int offset = p.getTextOffset();
        char[] parsed = p.getTextCharacters();
        char[] chars = Arrays.copyOfRange(parsed, offset, offset + length);
        // The parser's own buffer (not recycled, see FACTORY) still holds the password until collected: zero it now.
        Arrays.fill(parsed, offset, offset + length, '\0');
        try {
            return Secret.of(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    static boolean bool(JsonParser p, String field) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw wrongType(t, field, "true or false");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** An integer from {@code min} to {@code max}. */
    static int integer(JsonParser p, String field, int min, int max) throws IOException {
        String expected = "an integer from " + min + " to " + max;
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw wrongType(p.currentToken(), field, expected);
        }
        int value = p.getIntValue();
        if (value < min || value > max) {
            throw ApiException.invalid(field, field + ": " + value + " (expected: " + expected + ")");
        }
        return value;
    }

    private static void expect(JsonParser p, JsonToken token, String field, String expected) {
        if (p.currentToken() != token) {
            throw wrongType(p.currentToken(), field, expected);
        }
    }

    private static ApiException wrongType(JsonToken token, String field, String expected) {
        return ApiException.invalid(field, field + ": " + describe(token) + " (expected: " + expected + ")");
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "a " + token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A field name fit to echo: short and printable, else a placeholder. */
    private static String shown(String name) {
        boolean printable = name.length() <= 64 && name.chars().noneMatch(Character::isISOControl);
        return printable ? name : "(unprintable field name)";
    }
}
