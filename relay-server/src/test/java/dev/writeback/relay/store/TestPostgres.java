package dev.writeback.relay.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The test PostgreSQL server that {@code system-tests/postgres/postgres.sh} started, read from its env file
 * ({@code -Dpostgres.env}, default {@code ../system-tests/target/postgres/env}). Without the file the tests are
 * skipped, or failed under {@code CI=true} unless {@code WRITEBACK_SKIP_POSTGRES} is set. Hands out one fresh
 * database per name, owned by the relay's role, so tests do not see each other's rows.
 */
public final class TestPostgres {
    private static TestPostgres instance;

    private final Map<String, String> env;

    private TestPostgres(Map<String, String> env) {
        this.env = env;
    }

    public static synchronized TestPostgres get() {
        if (instance == null) {
            Path file = Path.of(System.getProperty("postgres.env", "../system-tests/target/postgres/env"));
            if (!Files.isRegularFile(file)) {
                String why = "no test PostgreSQL (start one with system-tests/postgres/postgres.sh up): " + file
                        + " does not exist";
                if ("true".equalsIgnoreCase(System.getenv("CI")) && System.getenv("WRITEBACK_SKIP_POSTGRES") == null) {
                    Assertions.fail("CI=true needs the PostgreSQL store tests (set WRITEBACK_SKIP_POSTGRES=1 to skip them): " + why);
                }
                Assumptions.abort(why);
            }
            instance = new TestPostgres(read(file));
        }
        return instance;
    }

    /** Settings for a database of its own for {@code dataDir} (created on first use). */
    public StoreSettings databaseFor(Path dataDir) {
        return settings(create("wb_" + Integer.toHexString(dataDir.toAbsolutePath().toString().hashCode())));
    }

    /** Settings for {@code database} as the relay's role. */
    public StoreSettings settings(String database) {
        return new StoreSettings("jdbc:postgresql://" + env.get("PG_HOST") + ":" + env.get("PG_PORT") + "/" + database,
                env.get("PG_USER"), Path.of(env.get("PG_PASSWORD_FILE")), null, 4);
    }

    /** Creates a new empty database owned by the relay's role, unless it exists; returns its name. */
    public synchronized String create(String database) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + env.get("PG_HOST") + ":" + env.get("PG_PORT")
                + "/postgres", env.get("PG_ADMIN_USER"), firstLine(Path.of(env.get("PG_ADMIN_PASSWORD_FILE"))));
                var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (var rows = exists.executeQuery()) {
                if (!rows.next()) {
                    try (var create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + database + " OWNER " + env.get("PG_USER"));
                    }
                }
            }
            return database;
        } catch (SQLException e) {
            throw new IllegalStateException("test PostgreSQL: cannot create database " + database, e);
        }
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).get(0).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> read(Path file) {
        var values = new HashMap<String, String>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }
}
