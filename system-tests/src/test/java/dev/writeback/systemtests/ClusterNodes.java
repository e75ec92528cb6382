package dev.writeback.systemtests;

import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.cluster.ClusterSettings;
import dev.writeback.relay.store.StoreSettings;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * What the two-node tests share: a fresh database on the test PostgreSQL (one per test class, owned by the relay's
 * role) and the configuration of one relay node on it and on a NATS server, as the scripts' env files describe them.
 */
final class ClusterNodes {
    private ClusterNodes() {}

    /** A new empty database, named {@code prefix} and a random suffix; settings to reach it as the relay's role. */
    static StoreSettings freshDatabase(EnvFile pg, String prefix) throws Exception {
        String database = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String server = "jdbc:postgresql://" + pg.get("PG_HOST") + ":" + pg.get("PG_PORT") + "/";
        try (var admin = DriverManager.getConnection(server + "postgres", pg.get("PG_ADMIN_USER"),
                pg.secret("PG_ADMIN_PASSWORD_FILE")); var create = admin.createStatement()) {
            create.execute("CREATE DATABASE " + database + " OWNER " + pg.get("PG_USER"));
        }
        return new StoreSettings(server + database, pg.get("PG_USER"), pg.path("PG_PASSWORD_FILE"), null, 4);
    }

    /** Node {@code node-<name>} in {@code dir/<name>} on loopback, on {@code store} and the NATS server of {@code nats}. */
    static RelayConfig.Builder node(Path dir, String name, StoreSettings store, EnvFile nats) {
        var cluster = new ClusterSettings("node-" + name, List.of(nats.get("NATS_URL")), nats.get("NATS_USER"),
                nats.path("NATS_PASSWORD_FILE"), null, nats.path("NATS_CA_FILE"));
        return RelayConfig.builder(dir.resolve(name)).listen("127.0.0.1", 0)
                .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(30)).store(store).cluster(cluster);
    }
}
