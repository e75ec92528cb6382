package dev.writeback.relay.store;

import dev.writeback.protocol.testing.FakeClock;
import static dev.writeback.relay.store.StoreFixture.START;
import static dev.writeback.relay.store.StoreFixture.contains;
import static dev.writeback.relay.store.StoreFixture.databaseBytes;
import static dev.writeback.relay.store.StoreFixture.kind;
import static dev.writeback.relay.store.StoreFixture.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What lands on disk: no token plaintext, no plaintext package key, owner-only files, WAL mode. */
class StoreAtRestTest {
    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(START);

    @Test
    void databaseFile_neverHoldsTokenPlaintextOrPackageKey() {
        MasterKey masterKey = StoreFixture.masterKey();
        byte[] packageKey = randomBytes(32);
        IssuedToken api;
        IssuedToken registration;
        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            Tenant tenant = store.createTenant("acme-tenant-name");
            api = store.createApiToken(tenant.id(), "portal");
            registration = store.createRegistrationToken(tenant.id());
            AgentRecord agent = store.createAgent(tenant.id(), "agent-one", randomBytes(91));
            store.addKeyVersion(agent.id(), 1, randomBytes(294), packageKey);

            assertNoSecrets(databaseBytes(dataDir), api, registration, packageKey);   // WAL still holds the rows
        }
        byte[] afterClose = databaseBytes(dataDir);

        assertNoSecrets(afterClose, api, registration, packageKey);
        assertThat(contains(afterClose, "acme-tenant-name")).as("control: plain data is visible").isTrue();
        assertThat(contains(afterClose, Tokens.hash(api.plaintext()))).as("control: the hash is stored").isTrue();
    }

    @Test
    void addKeyVersion_callerArrayIsNotKept() {
        byte[] packageKey = randomBytes(32);
        byte[] original = packageKey.clone();
        try (Store store = Store.openSqlite(dataDir, StoreFixture.masterKey(), clock)) {
            String agentId = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91)).id();
            store.addKeyVersion(agentId, 1, randomBytes(294), packageKey);
            packageKey[0] ^= 1;   // the caller wipes or reuses its array

            assertThat(store.key(agentId, 1).orElseThrow().packageKey()).isEqualTo(original);
        }
    }

    @Test
    void databaseFile_isOwnerOnlyAndInWalMode() throws IOException, SQLException {
        Path file = dataDir.resolve(SqliteDatabase.FILE);
        try (Store store = Store.openSqlite(dataDir, StoreFixture.masterKey(), clock)) {
            store.createTenant("acme");
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    var s = c.createStatement();
                    var rows = s.executeQuery("PRAGMA journal_mode")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("wal");
            }
            assumeThat(Files.getFileAttributeView(file, PosixFileAttributeView.class)).isNotNull();
            try (Stream<Path> files = Files.list(dataDir)) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith(SqliteDatabase.FILE)))
                        .extracting(f -> f.getFileName() + " " + PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(f)))
                        .containsExactlyInAnyOrder("relay.db rw-------", "relay.db-wal rw-------",
                                "relay.db-shm rw-------");
            }
        }
    }

    @Test
    void open_otherMasterKey_isRefused() {
        Store.openSqlite(dataDir, StoreFixture.masterKey(), clock).close();

        assertThatThrownBy(() -> Store.openSqlite(dataDir, StoreFixture.masterKey(), clock))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining("master key: MasterKey[bytes] does not open this database");
    }

    @Test
    void open_sameMasterKeyFromFile_readsKeysBack() {
        byte[] packageKey = randomBytes(32);
        String agentId;
        try (Store store = Store.openSqlite(dataDir, MasterKey.loadOrCreate(dataDir, Map.of()), clock)) {
            agentId = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91)).id();
            store.addKeyVersion(agentId, 1, randomBytes(294), packageKey);
        }

        try (Store store = Store.openSqlite(dataDir, MasterKey.loadOrCreate(dataDir, Map.of()), clock)) {
            assertThat(store.currentKey(agentId).orElseThrow().packageKey()).isEqualTo(packageKey);
        }
    }

    @Test
    void key_tamperedRow_throwsCorrupt() throws SQLException {
        String agentId;
        MasterKey masterKey = StoreFixture.masterKey();
        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            agentId = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91)).id();
            store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
            store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE));
                var s = c.createStatement()) {
            // a sealed key moved to another version fails its associated data check
            s.executeUpdate("UPDATE agent_key SET sealed_package_key ="
                    + " (SELECT sealed_package_key FROM agent_key WHERE version = 1) WHERE version = 2");
        }

        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            assertThatThrownBy(() -> store.key(agentId, 2))
                    .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                    .hasMessageContaining("package key of agent " + agentId + " version 2");
            assertThat(store.key(agentId, 1)).isPresent();
        }
    }

    @Test
    void open_garbageFile_throwsCorrupt() throws IOException {
        Files.write(dataDir.resolve(SqliteDatabase.FILE), randomBytes(8192));

        assertThatThrownBy(() -> Store.openSqlite(dataDir, StoreFixture.masterKey(), clock))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CORRUPT))
                .hasMessageContaining("relay.db");
    }

    private static void assertNoSecrets(byte[] db, IssuedToken api, IssuedToken registration, byte[] packageKey) {
        assertThat(contains(db, api.plaintext())).as("API token plaintext in relay.db").isFalse();
        assertThat(contains(db, api.plaintext().substring(7))).as("API token random part in relay.db").isFalse();
        assertThat(contains(db, registration.plaintext())).as("registration token plaintext in relay.db").isFalse();
        assertThat(contains(db, packageKey)).as("plaintext package key in relay.db").isFalse();
    }
}
