package dev.writeback.protocol.files;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Binds a configuration file (agent.yaml, relay.yaml) to records. Every refusal names the file, the key's path
 * ({@code listen.port}, {@code directories[0].type}) and what was expected; unknown keys are refused.
 */
public final class YamlFiles {
    private YamlFiles() {}

    /**
     * Reads {@code file} as {@code type}; null for an empty file. {@code what} names the file kind in messages
     * ({@code a relay.yaml file}).
     */
    public static <T> T read(Path file, Class<T> type, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found (expected: " + what + ")");
        }
        try {
            var mapper = new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            var tree = mapper.readTree(file.toFile());
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return null;   // empty, or only comments
            }
            return mapper.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": " + path(e) + ": unknown key (expected one of: "
                    + known(e.getKnownPropertyIds()) + ")", e);
        } catch (InvalidFormatException e) {
            throw new IllegalArgumentException(file + ": " + path(e) + ": " + shown(e.getValue()) + " (expected: "
                    + expected(e.getTargetType(), e.getOriginalMessage()) + ")", e);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(file + ": " + path(e) + ": " + (e.getTargetType() == null
                    ? e.getOriginalMessage() : "wrong type (expected: " + expected(e.getTargetType(), e.getOriginalMessage()) + ")"), e);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + path(e) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The dotted path of the key at fault, {@code (top)} for the document itself. */
    public static String path(JsonMappingException e) {
        var sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top)" : sb.toString();
    }

    private static String known(Collection<Object> ids) {
        var names = new TreeSet<String>();
        ids.forEach(id -> names.add(String.valueOf(id)));
        return names.toString();
    }

    private static String shown(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String expected(Class<?> type, String original) {
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return "a duration, e.g. 250ms, 30s, 5m, 1h, 180d or ISO-8601 such as PT5M";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a mapping";
        }
        return original;
    }
}
