package dev.writeback.relay;

import dev.writeback.relay.store.StoreCopy;
import dev.writeback.relay.store.StoreException;
import dev.writeback.relay.store.StoreSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relay store ...}: moving a relay's state between stores. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Move the relay's state between stores.",
        subcommands = {StoreCommands.Migrate.class})
final class StoreCommands {
    // a group: without a subcommand picocli prints "Missing required subcommand" and the usage, exit code 2

    /** {@code relay store migrate --to URL --username U --password-file F}. */
    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Copy the SQLite store of the data directory (relay.db) into an empty PostgreSQL database,"
                    + " all in one transaction, so that several relay nodes can share it. Stop the relay first. The"
                    + " package keys stay sealed by the data directory's master.key: copy it to every node. Then add"
                    + " store: to relay.yaml (docs/cluster.md).")
    static final class Migrate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RelayCommand.DataDir dataDir;

        @Option(names = "--to", required = true, paramLabel = "URL", description = "jdbc:postgresql://host:port/database")
        String url;

        @Option(names = "--username", required = true, paramLabel = "ROLE", description = "The PostgreSQL role.")
        String username;

        @Option(names = "--password-file", paramLabel = "FILE", description = "A file holding the role's password (first line).")
        Path passwordFile;

        @Option(names = "--password-env", paramLabel = "VAR", description = "An environment variable holding the role's password.")
        String passwordEnv;

        @Override
        public Integer call() {
            RelayCommand.quietLogs();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = dataDir.resolve().toAbsolutePath().normalize();
            if (!dev.writeback.relay.store.Store.existsSqlite(dir)) {
                err.println("data directory: " + dir + " holds no SQLite store (" + dev.writeback.relay.store.Store.SQLITE_FILE
                        + ") (expected: the dataDir of a relay on SQLite; check --data-dir or --config)");
                return 1;
            }
            if (passwordFile == null && passwordEnv == null) {
                err.println("--password-file or --password-env: missing (expected: where the role's password is read)");
                return 2;
            }
            StoreSettings target;
            try {
                target = new StoreSettings(url, username, passwordFile, passwordEnv, 2);
            } catch (IllegalArgumentException e) {
                err.println("--to: " + e.getMessage());   // the same rules as relay.yaml's store: section
                return 2;
            }
            try {
                var copied = StoreCopy.sqliteToPostgres(dir, target, System::getenv, Clock.systemUTC());
                out.println("Copied " + dir.resolve(dev.writeback.relay.store.Store.SQLITE_FILE) + " to " + target.address() + ":");
                copied.forEach((table, rows) -> out.printf("  %-20s %d%n", table, rows));
                out.println("Next: add to relay.yaml");
                out.println("  store: {url: " + url + ", username: " + username + ", "
                        + (passwordFile != null ? "passwordFile: " + passwordFile : "passwordEnv: " + passwordEnv) + "}");
                out.println("and keep " + dir.resolve("master.key") + " (copy it to every node). relay.db is left as it was.");
                return 0;
            } catch (StoreException e) {
                err.println(e.getMessage());
                return 1;
            }
        }
    }
}
