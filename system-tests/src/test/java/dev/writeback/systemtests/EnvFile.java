package dev.writeback.systemtests;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code KEY=VALUE} file written by a test-server script ({@code samba-dc.sh env}, {@code slapd.sh env}):
 * everything a suite needs to know about the server it started. Blank lines and {@code #} comments are skipped.
 */
public final class EnvFile {
    private final String what;
    private final Path file;
    private final Map<String, String> values;

    private EnvFile(String what, Path file, Map<String, String> values) {
        this.what = what;
        this.file = file;
        this.values = values;
    }

    /** Reads {@code file}; {@code what} names it in errors, e.g. {@code samba env}. */
    public static EnvFile load(String what, Path file) {
        var values = new LinkedHashMap<String, String>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (line.isBlank() || line.startsWith("#") || eq <= 0) {
                    continue;
                }
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + file, e);
        }
        return new EnvFile(what, file, values);
    }

    /** Returns the value of a key; fails the test when the file lacks it. */
    public String get(String key) {
        String value = values.get(requireNonNull(key, "key"));
        if (value == null) {
            throw new IllegalStateException(what + " " + file + ": no " + key
                    + " (expected: a file written by the script that started the server)");
        }
        return value;
    }

    public Path path(String key) {
        return Path.of(get(key));
    }

    /** The password in a password file (the agent reads the same files). */
    public String secret(String key) {
        try {
            return Files.readString(path(key), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(what + " " + file + ": " + key, e);
        }
    }
}
