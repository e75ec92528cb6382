package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.ApiTokenInfo;
import dev.writeback.relay.store.StoreSettings;
import dev.writeback.relay.store.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on one PostgreSQL store, configured as an operator would (relay.yaml {@code store:} with a
 * password file, the master key copied to each node): what the {@code relay} CLI writes through one node's
 * configuration, the other node's store reads. Runs in the {@code postgres-store} execution.
 */
class PostgresRelayTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = RelayCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertThat(code).as("relay %s: %s", String.join(" ", args), err).isZero();
        assertThat(err.toString()).contains("Store: jdbc:postgresql://");
        return out.toString();
    }

    private static String value(String out, String name) {
        return out.lines().filter(l -> l.startsWith(name + ": ")).findFirst()
                .map(l -> l.substring(name.length() + 2)).orElseThrow(() -> new AssertionError(name + " in " + out));
    }

    private Path yaml(String node, StoreSettings store) throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve(node));
        return Files.writeString(nodeDir.resolve("relay.yaml"), """
                dataDir: data
                listen: {address: 127.0.0.1, port: 0}
                store:
                  url: %s
                  username: %s
                  passwordFile: %s
                """.formatted(store.url(), store.username(), store.passwordFile()));
    }

    @Test
    void theCliWritesThroughOneNodesConfig_andTheOtherNodeServesIt() throws Exception {
        StoreSettings store = TestPostgres.get().databaseFor(dir);
        Path yamlA = yaml("a", store);
        Path yamlB = yaml("b", store);

        String created = run("tenant", "create", "acme", "--config", yamlA.toString());
        String tenantId = value(created, "tenant-id");
        String token = value(created, "operations-token");
        assertThat(run("tenant", "list", "--config", yamlA.toString())).contains("acme");
        // Every node seals and opens package keys with the same master key: the operator copies it (or sets
        // WRITEBACK_MASTER_KEY on each).
        Files.createDirectories(dir.resolve("b/data"));
        Files.copy(dir.resolve("a/data/master.key"), dir.resolve("b/data/master.key"));

        var configB = RelayConfigLoader.load(yamlB);
        assertThat(configB.store().url()).isEqualTo(store.url());
        assertThat(configB.store().maxPoolSize()).as("the default pool").isEqualTo(StoreSettings.DEFAULT_POOL_SIZE);
        try (var nodeA = RelayServer.start(RelayConfigLoader.load(yamlA), Clock.systemUTC());
                var nodeB = RelayServer.start(configB, Clock.systemUTC())) {
            assertThat(nodeB.store().tenant(tenantId)).as("node B reads the tenant").isPresent();
            assertThat(nodeB.store().findApiToken(token).map(ApiTokenInfo::scope)).contains(ApiScope.OPERATIONS);

            nodeB.store().createTenant("globex");
            assertThat(nodeA.store().tenants()).as("node A sees what node B wrote")
                    .extracting(t -> t.name()).contains("acme", "globex");
        }
        assertThat(Files.exists(dir.resolve("a/data/relay.db"))).as("no SQLite file beside a PostgreSQL store").isFalse();

        var err = new StringWriter();
        var cl = RelayCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("backup", "--to", dir.resolve("copy.db").toString(), "--config", yamlA.toString()))
                .as("relay backup copies SQLite only").isEqualTo(2);
        assertThat(err.toString()).contains("is PostgreSQL", "pg_dump");
    }
}
