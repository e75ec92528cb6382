package dev.writeback.relay.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema to the newest version this code knows: applies each pending script from
 * {@code db/migration/} in its own transaction and records it, with a checksum, in {@code schema_version}.
 * A database with a newer schema, or with an applied script that has since changed, is refused.
 */
final class Migrations {
    /** Scripts in order; script {@code i} brings the schema to version {@code i + 1}. Append only. */
    static final List<String> SCRIPTS = List.of("V1__initial.sql", "V2__token_scopes.sql", "V3__portal.sql",
            "V4__token_lifecycle.sql", "V5__portal_hostname.sql", "V6__hash_sync.sql", "V7__cluster.sql");
    static final String DIRECTORY = "db/migration/";

    private static final Logger logger = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    /** The schema version this code writes and reads. */
    static int latest() {
        return SCRIPTS.size();
    }

    /** Applies every pending script; returns the schema version afterwards. */
    static int apply(Database db, Clock clock) {
        return apply(db, clock, latest());
    }

    /**
     * Applies the pending scripts up to schema version {@code target} (tests build older databases with it), under
     * the database's schema lock.
     */
    static int apply(Database db, Clock clock, int target) {
        if (target < 1 || target > latest()) {
            throw new IllegalArgumentException("target schema version: " + target + " (expected: 1 to " + latest() + ")");
        }
        return db.exclusively(() -> applyLocked(db, clock, target));
    }

    private static int applyLocked(Database db, Clock clock, int target) {
        db.transaction(c -> execute(c, "CREATE TABLE IF NOT EXISTS schema_version ("
                + "version INTEGER NOT NULL PRIMARY KEY, script VARCHAR(200) NOT NULL, "
                + "checksum CHAR(64) NOT NULL, applied_at BIGINT NOT NULL)"));
        for (int version = 1; version <= target; version++) {
            String script = SCRIPTS.get(version - 1);
            String sql = db.adapt(load(script));
            int v = version;
            db.transaction(c -> migrate(c, v, script, sql, clock));
        }
        return target;
    }

    private static Void migrate(Connection c, int version, String script, String sql, Clock clock)
            throws SQLException {
        int current = currentVersion(c);
        if (current > latest()) {
            throw new StoreException(StoreException.Kind.MIGRATION, "database schema version: " + current
                    + " (expected: <= " + latest() + "); it was written by a newer relay: upgrade this one");
        }
        if (current >= version) {
            verifyChecksum(c, version, script, sql);
            return null;
        }
        for (String statement : statements(sql)) {
            execute(c, statement);
        }
        try (var insert = c.prepareStatement(
                "INSERT INTO schema_version (version, script, checksum, applied_at) VALUES (?, ?, ?, ?)")) {
            insert.setInt(1, version);
            insert.setString(2, script);
            insert.setString(3, checksum(sql));
            insert.setLong(4, clock.millis());
            insert.executeUpdate();
        }
        logger.info("Applied schema migration {} (schema version {})", script, version);
        return null;
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (var statement = c.createStatement();
                var rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rows.next() ? rows.getInt(1) : 0;
        }
    }

    private static void verifyChecksum(Connection c, int version, String script, String sql) throws SQLException {
        try (var query = c.prepareStatement("SELECT checksum FROM schema_version WHERE version = ?")) {
            query.setInt(1, version);
            try (var rows = query.executeQuery()) {
                String expected = checksum(sql);
                if (!rows.next()) {
                    throw new StoreException(StoreException.Kind.MIGRATION, "schema version " + version
                            + ": missing from schema_version (expected: every version up to the newest recorded)");
                }
                if (!rows.getString(1).equals(expected)) {
                    throw new StoreException(StoreException.Kind.MIGRATION, "migration " + script + ": checksum "
                            + expected + " (expected: " + rows.getString(1) + ", as applied); released scripts"
                            + " must not change, add a new one instead");
                }
            }
        }
    }

    private static Void execute(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
        return null;
    }

    /** Splits a script into statements: {@code --} comment lines dropped, {@code ;} at a line end separates. */
    static List<String> statements(String sql) {
        var statements = new ArrayList<String>();
        var current = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                statements.add(current.substring(0, current.lastIndexOf(";")).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    static String load(String script) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(DIRECTORY + script)) {
            if (in == null) {
                throw new StoreException(StoreException.Kind.MIGRATION,
                        "migration " + DIRECTORY + script + ": missing (expected: on the class path)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.MIGRATION,
                    "migration " + DIRECTORY + script + ": unreadable (expected: on the class path)", e);
        }
    }

    private static String checksum(String sql) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
        }
    }
}
