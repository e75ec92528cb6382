package dev.writeback.relay.store;

import dev.writeback.protocol.testing.FakeClock;
import static dev.writeback.relay.store.StoreFixture.START;
import static dev.writeback.relay.store.StoreFixture.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path dataDir;

    private final MasterKey masterKey = StoreFixture.masterKey();
    private final FakeClock clock = new FakeClock(START);

    @Test
    void open_twice_appliesMigrationsOnceAndKeepsData() throws SQLException {
        String tenantId;
        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            tenantId = store.createTenant("acme").id();
        }

        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            assertThat(store.tenant(tenantId)).isPresent();
        }
        assertThat(queryInt("SELECT COUNT(*) FROM schema_version")).isEqualTo(Migrations.latest());
        assertThat(queryInt("SELECT MAX(version) FROM schema_version")).isEqualTo(Migrations.latest());
    }

    @Test
    void open_newerSchema_isRefused() throws SQLException {
        Store.openSqlite(dataDir, masterKey, clock).close();
        execute("INSERT INTO schema_version (version, script, checksum, applied_at) VALUES (99, 'V99__x.sql', 'x', 0)");

        assertThatThrownBy(() -> Store.openSqlite(dataDir, masterKey, clock))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.MIGRATION))
                .hasMessageContaining("database schema version: 99 (expected: <= " + Migrations.latest() + ")")
                .hasMessageContaining("newer relay");
    }

    @Test
    void open_changedAppliedScript_isRefused() throws SQLException {
        Store.openSqlite(dataDir, masterKey, clock).close();
        execute("UPDATE schema_version SET checksum = 'abc' WHERE version = 1");

        assertThatThrownBy(() -> Store.openSqlite(dataDir, masterKey, clock))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.MIGRATION))
                .hasMessageContaining("migration V1__initial.sql: checksum");
    }

    @Test
    void open_versionOneDatabase_keepsItsApiTokensAsAdmin() throws SQLException {
        String token = "wb_api_" + "A".repeat(43);
        try (Database db = SqliteDatabase.open(dataDir)) {
            assertThat(Migrations.apply(db, clock, 1)).isEqualTo(1);
            db.transaction(c -> {
                Sql.update(c, "INSERT INTO tenant (id, name, enabled, allow_unlock_without_reset, created_at)"
                        + " VALUES (?, ?, ?, ?, ?)", "t-1", "acme", true, false, START);
                return Sql.update(c, "INSERT INTO api_token (id, tenant_id, token_hash, label, created_at)"
                        + " VALUES (?, ?, ?, ?, ?)", "k-1", "t-1", Tokens.hash(token), "portal", START);
            });
        }
        assertThat(queryInt("SELECT MAX(version) FROM schema_version")).isEqualTo(1);

        try (Store store = Store.openSqlite(dataDir, masterKey, clock)) {
            assertThat(store.findApiToken(token))
                    .contains(new ApiTokenInfo("k-1", "t-1", "portal", ApiScope.ADMIN, START));
            String operations = store.createApiToken("t-1", "sspr", ApiScope.OPERATIONS).plaintext();
            assertThat(store.findApiToken(operations).map(ApiTokenInfo::scope)).contains(ApiScope.OPERATIONS);
        }
        assertThat(queryInt("SELECT MAX(version) FROM schema_version")).isEqualTo(Migrations.latest());
    }

    @Test
    void apiTokenScope_outsideTheKnownValues_isRefusedByTheDatabase() throws SQLException {
        Store.openSqlite(dataDir, masterKey, clock).close();
        execute("INSERT INTO tenant (id, name, enabled, allow_unlock_without_reset, created_at)"
                + " VALUES ('t-1', 'acme', 1, 0, 0)");

        assertThatThrownBy(() -> execute("INSERT INTO api_token (id, tenant_id, token_hash, label, scope, created_at)"
                + " VALUES ('k-1', 't-1', 'h', 'x', 'root', 0)"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("CHECK");
    }

    @Test
    void scripts_listEveryFileInTheMigrationDirectory() throws URISyntaxException, java.io.IOException {
        Path directory = Path.of(getClass().getClassLoader().getResource(Migrations.DIRECTORY).toURI());
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Migrations.SCRIPTS);
        }
        for (int i = 0; i < Migrations.SCRIPTS.size(); i++) {
            assertThat(Migrations.SCRIPTS.get(i)).startsWith("V" + (i + 1) + "__").endsWith(".sql");
        }
    }

    @Test
    void postgreSql_readsTheSameScripts_withItsOwnTypes() {
        String v1 = String.join("\n", Migrations.statements(PostgresDatabase.ddl(Migrations.load("V1__initial.sql"))));
        assertThat(v1).contains("value BYTEA").containsPattern("seq +BIGINT +GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
        for (String script : Migrations.SCRIPTS) {
            String sql = String.join("\n", Migrations.statements(PostgresDatabase.ddl(Migrations.load(script))));
            assertThat(sql).as(script).doesNotContain("BLOB").doesNotContain("AUTOINCREMENT");
        }
    }

    @Test
    void statements_splitsAtLineEndSemicolonsAndDropsComments() {
        String sql = "-- header; not a statement\nCREATE TABLE a (\n  x INT -- note\n);\n\nCREATE INDEX i ON a (x);\n";

        assertThat(Migrations.statements(sql))
                .containsExactly("CREATE TABLE a (\n  x INT -- note\n)", "CREATE INDEX i ON a (x)");
    }

    private int queryInt(String sql) throws SQLException {
        try (Connection c = connect(); var s = c.createStatement(); var rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = connect(); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE));
    }
}
