package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite {@link Database}: one JDBC connection to {@code relay.db} guarded by a lock (SQLite has one writer
 * anyway), WAL with {@code synchronous=FULL}, IMMEDIATE transactions, {@code secure_delete}, and SQLite's result
 * codes turned into {@link StoreException} kinds.
 */
final class SqliteDatabase implements Database {
    /** Name of the SQLite file in the data directory. */
    static final String FILE = "relay.db";

    private static final Logger logger = LoggerFactory.getLogger(SqliteDatabase.class);
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);

    // SQLite primary result codes (https://www.sqlite.org/rescode.html)
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_NOTADB = 26;

    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final String name;
    private boolean closed;

    private SqliteDatabase(Connection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    /** Opens (creating with owner-only permissions) {@code dataDir/relay.db} in WAL mode with a busy timeout. */
    static SqliteDatabase open(Path dataDir) {
        requireNonNull(dataDir, "dataDir");
        Path file = dataDir.resolve(FILE);
        try {
            OwnerOnly.createDirectories(dataDir);
            OwnerOnly.createFile(file);   // SQLite creates its -wal and -shm files with the same permissions
            logger.info("Created relay database {}", file);
        } catch (FileAlreadyExistsException e) {
            logger.debug("Opening existing relay database {}", file);
        } catch (IOException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE,
                    "relay database: " + file + " cannot be created (expected: a writable data directory)", e);
        }
        var config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);   // a package key handed out must survive power loss
        config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
        config.enforceForeignKeys(true);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);   // no read-to-write upgrade failures
        try {
            // Autocommit stays on between transactions: with it off, the driver begins the next IMMEDIATE
            // transaction right after each commit and so holds the write lock for good, locking out the CLI.
            Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var statement = connection.createStatement()) {
                statement.execute("PRAGMA secure_delete = ON");   // deleted rows (destroyed keys) are zeroed, not just unlinked
            }
            return new SqliteDatabase(connection, file.toString());
        } catch (SQLException e) {
            throw translate(e, file.toString());
        }
    }

    @Override
    public <T> T transaction(Work<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException(StoreException.Kind.UNAVAILABLE, "store: closed (expected: an open store)");
            }
            boolean committed = false;
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    rollback();
                }
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw translate(e, name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the write-ahead log into the database and truncates it, so rows deleted with {@code secure_delete}
     * (destroyed key material) leave no older copy in the {@code -wal} file. Outside any transaction.
     */
    @Override
    public void checkpoint() {
        lock.lock();
        try (var statement = connection.createStatement()) {
            if (!closed) {
                statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        } catch (SQLException e) {
            throw translate(e, name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String dialect() {
        return "sqlite";
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            logger.warn("Rollback failed on {}", name, e);   // the original failure propagates
        }
    }

    private static StoreException translate(SQLException e, String name) {
        int code = e.getErrorCode() & 0xff;
        if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
            return new StoreException(StoreException.Kind.CORRUPT,
                    "relay database: " + name + " is damaged or not a database (expected: a SQLite database)", e);
        }
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + name
                    + " busy for over " + BUSY_TIMEOUT.toSeconds() + " s (expected: one relay per data directory)", e);
        }
        if (Database.isConstraintViolation(e) || code == SQLITE_CONSTRAINT) {
            return new StoreException(StoreException.Kind.CONFLICT, "relay database: " + e.getMessage(), e);
        }
        return new StoreException(StoreException.Kind.UNAVAILABLE, "relay database: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connection.close();
        } catch (SQLException e) {
            throw translate(e, name);
        } finally {
            lock.unlock();
        }
    }
}
