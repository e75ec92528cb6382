package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Moves a relay's state from the SQLite file of its data directory to an empty PostgreSQL database (as a single
 * node grows into a cluster): both are brought to the newest schema, then every table is copied row by row in one
 * PostgreSQL transaction, so the target holds all of it or nothing. Bytes are copied as they are: package keys stay
 * sealed by the same master key, token hashes stay hashes. The sessions and leases of a cluster are not copied
 * (they are rewritten by running nodes).
 */
public final class StoreCopy {
    /** Tables in an order that satisfies their foreign keys. */
    static final List<String> TABLES = List.of("relay_meta", "tenant", "api_token", "registration_token", "agent",
            "agent_key", "audit", "portal_settings", "portal_session", "portal_event", "portal_lock", "hash_sync_tenant",
            "hash_sync_user", "hash_sync_history");

    private StoreCopy() {}

    /**
     * Copies the SQLite store of {@code dataDir} into the PostgreSQL database of {@code target}; returns the rows
     * copied per table. Refuses a target that already holds a tenant or an agent key.
     */
    public static Map<String, Integer> sqliteToPostgres(Path dataDir, StoreSettings target,
                                                        Function<String, String> environment, Clock clock) {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(target, "target");
        try (var source = SqliteDatabase.open(dataDir); var to = PostgresDatabase.open(target, environment)) {
            Migrations.apply(source, clock);
            Migrations.apply(to, clock);
            return to.transaction(into -> {
                for (String table : List.of("tenant", "agent_key", "relay_meta")) {
                    if (count(into, table) > 0) {
                        throw new StoreException(StoreException.Kind.CONFLICT, "store migrate: " + target.address()
                                + " already holds a relay's state (table " + table + " is not empty) (expected: an empty"
                                + " database; the copy never merges)");
                    }
                }
                var copied = new LinkedHashMap<String, Integer>();
                for (String table : TABLES) {
                    copied.put(table, source.transaction(from -> copy(from, into, table)));
                }
                // audit.seq is an identity column on PostgreSQL: the next append continues after the copied rows
                try (var reset = into.createStatement()) {
                    reset.execute("SELECT setval(pg_get_serial_sequence('audit', 'seq'),"
                            + " COALESCE((SELECT MAX(seq) FROM audit), 0) + 1, false)");
                }
                return copied;
            });
        }
    }

    private static int count(Connection c, String table) throws SQLException {
        return Sql.one(c, "SELECT COUNT(*) FROM " + table, rows -> rows.getInt(1)).orElse(0);
    }

    private static int copy(Connection from, Connection into, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        try (var probe = into.createStatement(); ResultSet none = probe.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData meta = none.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
                types.add(meta.getColumnType(i));
            }
        }
        String list = String.join(", ", columns);
        String insert = "INSERT INTO " + table + " (" + list + ")" + (table.equals("audit") ? " OVERRIDING SYSTEM VALUE" : "")
                + " VALUES (" + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
        int rows = 0;
        try (var select = from.createStatement(); ResultSet in = select.executeQuery("SELECT " + list + " FROM " + table);
                var out = into.prepareStatement(insert)) {
            while (in.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    bind(out, i + 1, types.get(i), in, columns.get(i));
                }
                out.addBatch();
                if (++rows % 500 == 0) {
                    out.executeBatch();
                }
            }
            out.executeBatch();
        }
        return rows;
    }

    /** SQLite keeps booleans as 0/1 and has no fixed column types: each value is read as the target column wants. */
    private static void bind(java.sql.PreparedStatement out, int index, int type, ResultSet in, String column)
            throws SQLException {
        switch (type) {
            case Types.BOOLEAN, Types.BIT -> {
                long v = in.getLong(column);
                if (in.wasNull()) {
                    out.setNull(index, Types.BOOLEAN);
                } else {
                    out.setBoolean(index, v != 0);
                }
            }
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> {
                long v = in.getLong(column);
                if (in.wasNull()) {
                    out.setNull(index, type);
                } else if (type == Types.BIGINT) {
                    out.setLong(index, v);
                } else {
                    out.setInt(index, (int) v);
                }
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] v = in.getBytes(column);
                if (v == null) {
                    out.setNull(index, Types.BINARY);
                } else {
                    out.setBytes(index, v);
                }
            }
            default -> {
                String v = in.getString(column);
                if (v == null) {
                    out.setNull(index, Types.VARCHAR);
                } else {
                    out.setString(index, v);
                }
            }
        }
    }
}
