package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.ApiTokenInfo;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relay store migrate}: a single node's SQLite store copied into an empty PostgreSQL database, where the
 * same master key opens it, tokens authenticate, package keys are the same bytes and audit continues; a second
 * copy into the same database is refused. Runs in the {@code postgres-store} execution.
 */
class PostgresMigrateTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dataDir;

    private int run(StringWriter out, StringWriter err, String... args) {
        var cl = RelayCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aSqliteStore_movesToAnEmptyPostgreSqlDatabase_andOpensThereWithTheSameMasterKey() throws Exception {
        MasterKey key = MasterKey.loadOrCreate(dataDir, Map.of());
        String tenantId;
        String agentId;
        String token;
        byte[] packageKey;
        try (Store sqlite = Store.openSqlite(dataDir, key, Clock.systemUTC())) {
            tenantId = sqlite.createTenant("acme").id();
            sqlite.updateSettings(tenantId, true, true);
            token = sqlite.createApiToken(tenantId, "portal", ApiScope.OPERATIONS).plaintext();
            try (var pk = PackageKey.generate(1, RANDOM)) {
                agentId = sqlite.registerAgent(tenantId, "dc1", KeyPairs.newIdentityKeyPair(RANDOM).getPublic().getEncoded(),
                        KeyPairs.newEncryptionKeyPair(RANDOM).getPublic().getEncoded(), pk).id();
            }
            packageKey = sqlite.currentKey(agentId).orElseThrow().packageKey();
            for (int i = 0; i < 3; i++) {
                sqlite.appendAudit(new AuditRecord(0, Instant.now(), tenantId, "req-" + i, "token", "RESET", "sam:ada",
                        "SUCCESS", null, agentId, 12, null));
            }
        }
        var target = TestPostgres.get().databaseFor(dataDir);
        var out = new StringWriter();
        var err = new StringWriter();

        int code = run(out, err, "store", "migrate", "--to", target.url(), "--username", target.username(),
                "--password-file", target.passwordFile().toString(), "--data-dir", dataDir.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("tenant", "agent_key", "store: {url: " + target.url());
        try (Store pg = Store.open(target, dataDir, MasterKey.loadOrCreate(dataDir, Map.of()), Clock.systemUTC(), n -> null)) {
            assertThat(pg.tenant(tenantId)).hasValueSatisfying(t -> {
                assertThat(t.name()).isEqualTo("acme");
                assertThat(t.allowUnlockWithoutReset()).isTrue();
            });
            assertThat(pg.findApiToken(token).map(ApiTokenInfo::scope)).contains(ApiScope.OPERATIONS);
            assertThat(pg.currentKey(agentId).orElseThrow().packageKey()).isEqualTo(packageKey);
            assertThat(pg.audit(tenantId, Instant.EPOCH, 10)).hasSize(3);
            pg.appendAudit(new AuditRecord(0, Instant.now(), tenantId, "req-new", "token", "RESET", "sam:ada", "SUCCESS",
                    null, agentId, 9, null));
            var all = pg.audit(tenantId, Instant.EPOCH, 10);
            assertThat(all).hasSize(4);
            assertThat(all.get(3).seq()).as("the sequence continues after the copied rows")
                    .isGreaterThan(all.get(2).seq());
        }

        var again = new StringWriter();
        assertThat(run(new StringWriter(), again, "store", "migrate", "--to", target.url(), "--username", target.username(),
                "--password-file", target.passwordFile().toString(), "--data-dir", dataDir.toString())).isEqualTo(1);
        assertThat(again.toString()).contains("already holds a relay's state");
    }
}
