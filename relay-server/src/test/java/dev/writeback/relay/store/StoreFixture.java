package dev.writeback.relay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Shared bits of the store tests: a fixed master key, a start time, raw database bytes, and the store under test:
 * SQLite in the data directory, or, with {@code -Dwriteback.test.store=postgresql} (the relay-server module's
 * {@code postgres-store} execution), a database of its own on the test PostgreSQL server for each data directory.
 */
final class StoreFixture {
    static final Instant START = Instant.parse("2026-03-01T10:00:00.123Z");
    /** Which engine the store tests run on: {@code sqlite} (default) or {@code postgresql}. */
    static final String ENGINE = System.getProperty("writeback.test.store", "sqlite");

    private static final SecureRandom random = new SecureRandom();

    private StoreFixture() {}

    /** Opens the store under test for {@code dataDir}; opening the same directory again opens the same store. */
    static Store open(Path dataDir, MasterKey key, java.time.Clock clock) {
        if (ENGINE.equals("postgresql")) {
            return Store.open(TestPostgres.get().databaseFor(dataDir), dataDir, key, clock, name -> null);
        }
        return Store.openSqlite(dataDir, key, clock);
    }

    /** Asserts the kind of a {@link StoreException}. */
    static Consumer<StoreException> kind(StoreException.Kind kind) {
        return e -> assertThat(e.kind()).isEqualTo(kind);
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static MasterKey masterKey() {
        return MasterKey.of(randomBytes(32));
    }

    /** The bytes of relay.db and its -wal and -shm files, whichever exist, concatenated. */
    static byte[] databaseBytes(Path dataDir) {
        var out = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("relay.db")).toList()) {
                out.write(Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static boolean contains(byte[] haystack, String needle) {
        return contains(haystack, needle.getBytes(StandardCharsets.UTF_8));
    }
}
