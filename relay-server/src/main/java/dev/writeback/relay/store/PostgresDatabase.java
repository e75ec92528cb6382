package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link Database} that the nodes of a cluster share: a HikariCP pool of pgjdbc connections,
 * SERIALIZABLE transactions retried when PostgreSQL aborts one for a serialization failure or a deadlock (the
 * work is only SQL, so running it again is safe), migrations under a session advisory lock so that two nodes
 * starting at once apply each script once, and PostgreSQL's SQLSTATEs turned into {@link StoreException} kinds.
 *
 * <p>Unlike SQLite with {@code secure_delete}, PostgreSQL keeps a deleted row's bytes until vacuum reuses the
 * space, and in its write-ahead log and backups: a destroyed package key stays there sealed by the master key,
 * so a copy of the database without {@code master.key} opens nothing.
 */
final class PostgresDatabase implements Database {
    private static final Logger logger = LoggerFactory.getLogger(PostgresDatabase.class);
    /** Attempts of one transaction that PostgreSQL aborts as a serialization failure or deadlock. */
    static final int ATTEMPTS = 8;
    /** How long a caller waits for a connection before the store counts as unavailable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** pg_advisory_lock key of schema migrations ("wbschema" in ASCII). */
    static final long MIGRATION_LOCK = 0x7762736368656d61L;

    private final HikariDataSource pool;
    private final String name;
    private volatile boolean closed;

    private PostgresDatabase(HikariDataSource pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    /** Opens a pool to {@code settings.url()}; fails at once, naming the server, when it cannot log in. */
    static PostgresDatabase open(StoreSettings settings, Function<String, String> environment) {
        requireNonNull(settings, "settings");
        char[] password = settings.password(environment);
        var config = new HikariConfig();
        config.setPoolName("relay-store");
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.username());
        config.setPassword(new String(password));
        Arrays.fill(password, '\0');
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECT_TIMEOUT.toMillis());
        config.setValidationTimeout(Duration.ofSeconds(2).toMillis());
        config.setInitializationFailTimeout(1);   // one attempt at start: a node that cannot log in says so at once
        config.setAutoCommit(true);
        config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
        config.addDataSourceProperty("ApplicationName", "writeback-relay");
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        String name = settings.address() + " as " + settings.username();
        try {
            return new PostgresDatabase(new HikariDataSource(config), name);
        } catch (RuntimeException e) {
            // HikariCP wraps the first connection's failure; the SQLException says why (auth, no database, down).
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof SQLException)) {
                cause = cause.getCause();
            }
            if (cause instanceof SQLException sql) {
                throw translate(sql, name);
            }
            throw new StoreException(StoreException.Kind.UNAVAILABLE,
                    "relay database: " + name + " cannot be reached (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public <T> T transaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw new StoreException(StoreException.Kind.UNAVAILABLE, "store: closed (expected: an open store)");
            }
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                boolean committed = false;
                try {
                    T result = work.run(c);
                    c.commit();
                    committed = true;
                    return result;
                } finally {
                    if (!committed) {
                        rollback(c);
                    }
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (retryable(e) && attempt < ATTEMPTS) {
                    logger.debug("Transaction on {} aborted ({}), attempt {} of {}", name, e.getSQLState(), attempt, ATTEMPTS);
                    pause(attempt);
                    continue;
                }
                throw translate(e, name);
            }
        }
    }

    /** Holds PostgreSQL's session advisory lock on a connection of its own while {@code work} runs. */
    @Override
    public <T> T exclusively(Supplier<T> work) {
        try (Connection c = pool.getConnection()) {
            try (var lock = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, MIGRATION_LOCK);
                lock.execute();
            }
            try {
                return work.get();
            } finally {
                try (var unlock = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, MIGRATION_LOCK);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw translate(e, name);
        }
    }

    private static final java.util.regex.Pattern BLOB = java.util.regex.Pattern.compile("\\bBLOB\\b");
    private static final java.util.regex.Pattern AUTOINCREMENT =
            java.util.regex.Pattern.compile("\\bINTEGER(\\s+)NOT NULL PRIMARY KEY AUTOINCREMENT\\b");

    /** BYTEA for BLOB, and an identity column for SQLite's AUTOINCREMENT key (audit.seq); nothing else differs. */
    @Override
    public String adapt(String sql) {
        return ddl(sql);
    }

    static String ddl(String sql) {
        String bytea = BLOB.matcher(sql).replaceAll("BYTEA");
        return AUTOINCREMENT.matcher(bytea).replaceAll("BIGINT$1GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
    }

    /** Nothing to do: see the class comment on deleted rows. */
    @Override
    public void checkpoint() {
        // PostgreSQL has no secure delete; the sealed bytes are useless without the master key.
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String dialect() {
        return "postgresql";
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    /** 40001 serialization_failure and 40P01 deadlock_detected: PostgreSQL asks the client to run it again. */
    static boolean retryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static void pause(int attempt) {
        long ceiling = Math.min(200, 5L << attempt);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));   // jittered: the other side commits
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "store: interrupted while retrying a transaction");
        }
    }

    private void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            logger.warn("Rollback failed on {}: {}", name, e.getMessage());   // the original failure propagates
        }
    }

    static StoreException translate(SQLException e, String name) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (Database.isConstraintViolation(e)) {
            return new StoreException(StoreException.Kind.CONFLICT, "relay database: " + e.getMessage(), e);
        }
        if (state.startsWith("28")) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + name
                    + " refused the login (" + e.getMessage() + ") (expected: store.username and its password)", e);
        }
        if (state.equals("3D000")) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + name
                    + " has no such database (expected: one created for the relay, owned by its role)", e);
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P03") || state.isEmpty()) {
            return new StoreException(StoreException.Kind.UNAVAILABLE,
                    "relay database: " + name + " unreachable (" + e.getMessage() + ")", e);
        }
        if (state.startsWith("40")) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + name
                    + " aborted the transaction " + ATTEMPTS + " times (" + e.getMessage() + ")", e);
        }
        return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + e.getMessage(), e);
    }
}
