package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a relay keeps its state when it is not the SQLite file of its data directory: a PostgreSQL database that
 * every node of a cluster shares ({@code store:} in relay.yaml). The password is never part of this record's text:
 * it is read when the store opens, from a file or an environment variable.
 *
 * @param url {@code jdbc:postgresql://host:port/database}, with any pgjdbc parameters (e.g. {@code ?sslmode=verify-full})
 * @param username the database role
 * @param passwordFile a file holding the password (first line), or null
 * @param passwordEnv an environment variable holding the password, or null; a file wins when both are set
 * @param maxPoolSize connections this node keeps open at most
 */
public record StoreSettings(String url, String username, Path passwordFile, String passwordEnv, int maxPoolSize) {
    /** Connections per node unless configured: the blocking pool's threads, the audit writer and the CLI. */
    public static final int DEFAULT_POOL_SIZE = 8;

    public StoreSettings {
        requireNonNull(url, "store.url");
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("store.url: " + redact(url)
                    + " (expected: jdbc:postgresql://host:port/database; without store.url the relay uses SQLite)");
        }
        if (url.contains("password=")) {
            throw new IllegalArgumentException("store.url: carries a password (expected: store.passwordFile or"
                    + " store.passwordEnv, so the password stays out of relay.yaml and of logs)");
        }
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("store.username: missing (expected: the PostgreSQL role of the relay)");
        }
        if (passwordFile == null && (passwordEnv == null || passwordEnv.isBlank())) {
            throw new IllegalArgumentException("store: no password source (expected: store.passwordFile or store.passwordEnv)");
        }
        if (maxPoolSize < 2 || maxPoolSize > 200) {
            throw new IllegalArgumentException("store.maxPoolSize: " + maxPoolSize + " (expected: 2..200)");
        }
    }

    /** Reads the password: the file's first line, else the environment variable; errors name the source. */
    char[] password(Function<String, String> environment) {
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                String line = (end < 0 ? text : text.substring(0, end)).strip();
                if (line.isEmpty()) {
                    throw new StoreException(StoreException.Kind.UNAVAILABLE,
                            "store.passwordFile: " + passwordFile + " is empty (expected: the password on its first line)");
                }
                return line.toCharArray();
            } catch (IOException e) {
                throw new StoreException(StoreException.Kind.UNAVAILABLE, "store.passwordFile: " + passwordFile
                        + " cannot be read (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        String value = environment.apply(passwordEnv);
        if (value == null || value.isEmpty()) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE,
                    "store.passwordEnv: " + passwordEnv + " is not set (expected: the PostgreSQL password)");
        }
        return value.toCharArray();
    }

    /** The URL without a query string (which may carry an sslpassword or other secrets), for messages. */
    public String address() {
        return redact(url);
    }

    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?…";
    }

    @Override
    public String toString() {
        return "StoreSettings[" + address() + " as " + username + ", password from "
                + (passwordFile != null ? "file " + passwordFile : "$" + passwordEnv) + ", pool " + maxPoolSize + "]";
    }
}
