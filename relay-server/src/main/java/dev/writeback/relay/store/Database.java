package dev.writeback.relay.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the store's SQL runs: units of work as short transactions, failures as {@link StoreException}s. The
 * store's classes ({@link JdbcStore}, {@link KeyVersions}, {@link AuditLog}, ...) speak standard SQL through it;
 * what differs between engines (connections, locking, error codes) lives in an
 * implementation: {@link SqliteDatabase} for one node, {@link PostgresDatabase} for a cluster. The migration scripts
 * are written once; {@link #adapt} turns what an engine spells otherwise into its own DDL.
 */
interface Database extends AutoCloseable {
    /** A unit of work inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction: commits on return, rolls back on any failure. */
    <T> T transaction(Work<T> work);

    /** A migration script in this engine's DDL (the scripts are written for SQLite and standard SQL). */
    default String adapt(String sql) {
        return sql;
    }

    /**
     * Runs {@code work} while holding the database's schema lock, so that two relay processes migrating the same
     * database at once apply each script once. One process per SQLite file needs no more than its transactions.
     */
    default <T> T exclusively(java.util.function.Supplier<T> work) {
        return work.get();
    }

    /**
     * Makes deleted rows (destroyed key material) unrecoverable from the engine's logs where it keeps copies;
     * outside any transaction. Nothing to do for engines without such copies.
     */
    void checkpoint();

    /** The database's file or address, for messages. */
    String name();

    /** The SQL dialect's name, e.g. {@code sqlite}, for messages and for the migrations a dialect needs of its own. */
    String dialect();

    /** Closes it; later transactions fail with UNAVAILABLE. Idempotent. */
    @Override
    void close();

    /** Whether {@code e} is a unique, primary or foreign key violation (SQLSTATE class 23). */
    static boolean isConstraintViolation(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("23");
    }
}
