package dev.writeback.relay;

import dev.writeback.protocol.files.OwnerOnly;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relay backup --to FILE}: an online, consistent copy of the relay store while the relay keeps serving.
 * SQLite's {@code VACUUM INTO} reads one snapshot of the database (the WAL included, under a read transaction that
 * writers do not block) into a new, compact file; the copy is then checked with {@code PRAGMA integrity_check}.
 * The copy's secrets stay sealed with the master key, which is not in it.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write an online, consistent copy of the relay store to FILE (owner-only) while the relay runs."
                + " Restore: stop the relay, put FILE in place of relay.db (removing relay.db-wal and relay.db-shm),"
                + " keep the same master.key and tls/, start the relay. See docs/operations.md.")
final class BackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RelayCommand.DataDir dataDir;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "The backup file to create (must not exist).")
    Path to;

    @Override
    public Integer call() throws Exception {
        RelayCommand.quietLogs();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = dataDir.resolve().toAbsolutePath().normalize();
        var shared = dataDir.sharedStore();
        if (shared != null) {
            err.println("store: " + shared.address() + " is PostgreSQL (expected: a SQLite store; back PostgreSQL up with"
                    + " its own tools, e.g. pg_dump --format=custom, and keep master.key beside it: docs/cluster.md)");
            return 2;
        }
        if (!Store.existsSqlite(dir)) {
            err.println("data directory: " + dir + " holds no relay store (" + Store.SQLITE_FILE + ") (expected: the"
                    + " dataDir of a relay that ran `relay serve`; check --data-dir or --config)");
            return 1;
        }
        Path target = to.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            err.println("--to: " + target + " already exists (expected: a new file; a backup never overwrites)");
            return 2;
        }
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        OwnerOnly.createFile(target);
        err.println("Data directory: " + dir);
        try {
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Store.SQLITE_FILE))) {
                try (var statement = db.createStatement()) {
                    statement.execute("PRAGMA busy_timeout = 5000");   // wait out a writer's checkpoint
                }
                try (var vacuum = db.prepareStatement("VACUUM INTO ?")) {
                    vacuum.setString(1, target.toString());
                    vacuum.execute();
                }
            }
            String check;
            long tenants;
            try (Connection copy = DriverManager.getConnection("jdbc:sqlite:" + target);
                 var statement = copy.createStatement()) {
                try (var rs = statement.executeQuery("PRAGMA integrity_check")) {
                    check = rs.next() ? rs.getString(1) : "no answer";
                }
                try (var rs = statement.executeQuery("SELECT count(*) FROM tenant")) {
                    tenants = rs.next() ? rs.getLong(1) : 0;
                }
            }
            if (!"ok".equals(check)) {
                err.println("Backup " + target + " failed its integrity check: " + check);
                return 1;
            }
            out.println("Backup written: " + target + " (" + Files.size(target) + " bytes, " + tenants
                    + " tenants, integrity ok)");
            out.println("It holds package keys and token hashes sealed with the master key, which it does not contain:"
                    + " keep " + dir.resolve(MasterKey.FILE_NAME) + " (or env " + MasterKey.ENV_VAR + ") and "
                    + dir.resolve("tls") + " backed up separately, and this file owner-only.");
            return 0;
        } catch (SQLException e) {
            Files.deleteIfExists(target);
            err.println("Backup of " + dir.resolve(Store.SQLITE_FILE) + " to " + target + " failed: " + e.getMessage());
            return 1;
        }
    }
}
