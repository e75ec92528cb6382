package dev.writeback.systemtests.samba;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code KEY=VALUE} file written by {@code system-tests/samba/samba-dc.sh env}: everything a test needs
 * to know about the Samba test domain, and nothing else.
 */
final class SambaEnv {
    private final Path file;
    private final Map<String, String> values;

    private SambaEnv(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    static SambaEnv load(Path file) {
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
            throw new UncheckedIOException("samba env: " + file, e);
        }
        return new SambaEnv(file, values);
    }

    /** Returns the value of a key; fails the test when the file lacks it. */
    String get(String key) {
        String value = values.get(requireNonNull(key, "key"));
        if (value == null) {
            throw new IllegalStateException("samba env " + file + ": no " + key
                    + " (expected: a file written by samba-dc.sh env)");
        }
        return value;
    }

    Path path(String key) {
        return Path.of(get(key));
    }

    /** The password in a password file (the agent reads the same files). */
    String secret(String key) {
        try {
            return Files.readString(path(key), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("samba env " + file + ": " + key, e);
        }
    }

    /** One of the provisioned accounts, by its account name ({@code alice}, {@code padmin}, ...). */
    TestUser account(String name) {
        String key = name.toUpperCase(Locale.ROOT);
        return new TestUser(get(key + "_DN"), get(key + "_SAM"), get(key + "_UPN"), get(key + "_PASSWORD"));
    }
}
