package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.ApiTokenInfo;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RelayCommandTest {
    @TempDir
    Path dataDir;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level rootLevel;

    /** One run of the command line: exit code and what it printed. */
    private record Run(int exitCode, String out, String err) {
        /** The value of the first {@code name: value} line of the output. */
        String value(String name) {
            return out.lines().filter(l -> l.startsWith(name + ": ")).findFirst()
                    .map(l -> l.substring(name.length() + 2)).orElseThrow(() -> new AssertionError(name + " in " + out));
        }
    }

    @BeforeEach
    void saveLogLevel() {
        rootLevel = root.getLevel();
    }

    @BeforeEach
    void createStore() {
        withStore(store -> null);   // as `relay serve` does on its first start
    }

    @AfterEach
    void restoreLogLevel() {
        root.setLevel(rootLevel);   // the store commands quieten the root logger; other tests read INFO lines
    }

    private Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = RelayCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run inDataDir(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return run(all);
    }

    private <T> T withStore(Function<Store, T> work) {
        try (Store store = Store.openSqlite(dataDir, MasterKey.loadOrCreate(dataDir, Map.of()), Clock.systemUTC())) {
            return work.apply(store);
        }
    }

    private Optional<ApiScope> scopeOf(String token) {
        return withStore(store -> store.findApiToken(token).map(ApiTokenInfo::scope));
    }

    private String tenant(String name) {
        Run created = inDataDir("tenant", "create", name);
        assertThat(created.exitCode()).as(created.err()).isZero();
        return created.value("tenant-id");
    }

    @Test
    void backup_whileTheStoreIsOpen_writesAConsistentCopy_thatRestoresWithTheMasterKey(@TempDir Path elsewhere) throws Exception {
        String tenantId = tenant("acme");
        Path file = elsewhere.resolve("backups").resolve("relay-backup.db");
        Run backup = withStore(store -> {
            store.createTenant("written-before-the-backup");   // committed in the WAL, not yet checkpointed
            return inDataDir("backup", "--to", file.toString());
        });

        assertThat(backup.exitCode()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("Backup written: " + file, "2 tenants, integrity ok", "master.key");
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        Path restored = elsewhere.resolve("restored");
        java.nio.file.Files.createDirectories(restored);
        java.nio.file.Files.copy(file, restored.resolve(Store.SQLITE_FILE));
        java.nio.file.Files.copy(dataDir.resolve(MasterKey.FILE_NAME), restored.resolve(MasterKey.FILE_NAME));
        try (Store store = Store.openSqlite(restored, MasterKey.loadOrCreate(restored, Map.of()), Clock.systemUTC())) {
            assertThat(store.tenant(tenantId)).map(t -> t.name()).contains("acme");
            assertThat(store.tenants()).extracting(t -> t.name()).contains("written-before-the-backup");
        }

        Run again = inDataDir("backup", "--to", file.toString());
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("--to: " + file + " already exists");
    }

    @Test
    void backup_ofAMissingStore_failsNamingTheDirectory(@TempDir Path empty) {
        Run run = run("backup", "--data-dir", empty.resolve("typo").toString(), "--to", empty.resolve("b.db").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(empty.resolve("typo") + " holds no relay store");
        assertThat(empty.resolve("b.db")).doesNotExist();
    }

    @Test
    void tenantCreate_printsAnAdminAndAnOperationsToken() {
        Run created = inDataDir("tenant", "create", "acme");

        assertThat(created.exitCode()).isZero();
        String admin = created.value("api-token");
        String operations = created.value("operations-token");
        assertThat(admin).startsWith("wb_api_").isNotEqualTo(operations);
        assertThat(operations).startsWith("wb_api_");
        assertThat(created.out()).contains("api-token has scope admin", "operations-token has scope operations",
                "SSPR portal", "shown only once");
        assertThat(scopeOf(admin)).contains(ApiScope.ADMIN);
        assertThat(scopeOf(operations)).contains(ApiScope.OPERATIONS);
        Optional<String> name = withStore(store -> store.tenant(created.value("tenant-id")).map(t -> t.name()));
        assertThat(name).contains("acme");
    }

    @Test
    void tenantCreate_nameInUse_fails() {
        tenant("acme");

        Run again = inDataDir("tenant", "create", "acme");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("tenant name: acme");
        assertThat(again.out()).doesNotContain("wb_api_");
    }

    @Test
    void tokenCreate_api_isOperationsByDefault() {
        String tenantId = tenant("acme");

        Run token = inDataDir("token", "create", "--tenant", tenantId, "--api");

        assertThat(token.exitCode()).isZero();
        assertThat(token.out().strip()).startsWith("wb_api_").doesNotContain("\n");
        assertThat(token.err()).contains("scope operations");
        assertThat(scopeOf(token.out().strip())).contains(ApiScope.OPERATIONS);
    }

    @Test
    void tokenCreate_apiWithEachScope_createsThatScope() {
        String tenantId = tenant("acme");

        for (ApiScope scope : ApiScope.values()) {
            Run token = inDataDir("token", "create", "--tenant", tenantId, "--api", "--scope", scope.wire());

            assertThat(token.exitCode()).isZero();
            assertThat(token.err()).contains("scope " + scope.wire());
            assertThat(scopeOf(token.out().strip())).contains(scope);
        }
    }

    @Test
    void tokenCreate_badScope_isAUsageError() {
        String tenantId = tenant("acme");

        for (String bad : new String[] {"root", "ADMIN", ""}) {
            Run token = inDataDir("token", "create", "--tenant", tenantId, "--api", "--scope", bad);

            assertThat(token.exitCode()).as(bad).isEqualTo(2);
            assertThat(token.err()).contains("--scope: " + bad + " (expected: operations, admin or password-check)");
            assertThat(token.out()).isEmpty();
        }
    }

    @Test
    void tokenCreate_scopeWithoutApi_isAUsageError() {
        String tenantId = tenant("acme");

        Run token = inDataDir("token", "create", "--tenant", tenantId, "--scope", "admin");

        assertThat(token.exitCode()).isEqualTo(2);
        assertThat(token.err()).contains("--scope: admin (expected: only with --api)");
        assertThat(token.out()).isEmpty();
    }

    @Test
    void tokenCreate_withoutApi_printsARegistrationToken() {
        String tenantId = tenant("acme");

        Run token = inDataDir("token", "create", "--tenant", tenantId, "--ttl", "10m");

        assertThat(token.exitCode()).isZero();
        assertThat(token.out().strip()).startsWith("wb_reg_");
        assertThat(token.err()).contains("One-time registration token, valid until");
    }

    @Test
    void tokenCreate_unknownTenant_isAUsageError() {
        tenant("acme");

        Run token = inDataDir("token", "create", "--tenant", "nope", "--api");

        assertThat(token.exitCode()).isEqualTo(2);
        assertThat(token.err()).contains("--tenant: nope (expected: an existing tenant id");
        assertThat(token.out()).isEmpty();
    }

    @Test
    void tokenCreate_help_saysTheDefaultScope() {
        Run help = run("token", "create", "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--scope=operations|password-check|admin")
                .contains("Default: operations (least privilege)").contains("password-check: only")
                .contains("admin: everything");
    }

    @Test
    void tenantList_listsTenantsByName() {
        String beta = tenant("beta");
        String acme = tenant("acme");

        Run list = inDataDir("tenant", "list");

        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).hasSize(3);
        assertThat(list.out().lines().skip(1)).satisfiesExactly(
                l -> assertThat(l).startsWith(acme).endsWith("acme"),
                l -> assertThat(l).startsWith(beta).endsWith("beta"));
    }

    @Test
    void agentsList_listsTheTenantsAgents() {
        String tenantId = tenant("acme");
        String agentId = withStore(store -> store.createAgent(tenantId, "dc-agent", new byte[] {1, 2, 3}).id());

        Run list = inDataDir("agents", "list", "--tenant", tenantId);

        assertThat(list.exitCode()).isZero();
        assertThat(list.out().lines()).hasSize(2);
        assertThat(list.out().lines().skip(1)).singleElement()
                .satisfies(l -> assertThat(l).startsWith(agentId).contains("dc-agent", "never"));
    }

    @Test
    void agentsList_unknownTenant_isAUsageError() {
        Run list = inDataDir("agents", "list", "--tenant", "nope");

        assertThat(list.exitCode()).isEqualTo(2);
        assertThat(list.err()).contains("--tenant: nope (expected: an existing tenant id");
        assertThat(list.out()).isEmpty();
    }

    @Test
    void noSubcommand_isAUsageErrorThatListsTheSubcommands() {
        Run bare = run("token");

        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("Missing required subcommand").contains("create");
    }

    @Test
    void tokenList_showsIdsKindsAndScopes_neverTheTokens() {
        Run created = inDataDir("tenant", "create", "acme");
        String tenantId = created.value("tenant-id");
        String registration = inDataDir("token", "create", "--tenant", tenantId).out().strip();

        Run list = inDataDir("token", "list", "--tenant", tenantId);

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("TOKEN-ID", "KIND", "SCOPE", "LAST-USED", "registration", "admin", "operations",
                "created with tenant", "never");
        assertThat(list.out().lines().count()).isEqualTo(4);
        assertThat(list.out() + list.err()).doesNotContain(created.value("api-token"), created.value("operations-token"),
                registration, "wb_");
    }

    @Test
    void tokenRevoke_removesTheToken_andNamesAnUnknownOne() {
        Run created = inDataDir("tenant", "create", "acme");
        String tenantId = created.value("tenant-id");
        String admin = created.value("api-token");
        String adminId = withStore(store -> store.findApiToken(admin).orElseThrow().id());

        Run revoked = inDataDir("token", "revoke", "--tenant", tenantId, adminId);
        Run again = inDataDir("token", "revoke", "--tenant", tenantId, adminId);

        assertThat(revoked.exitCode()).as(revoked.err()).isZero();
        assertThat(revoked.out()).contains("Revoked api token " + adminId);
        assertThat(scopeOf(admin)).isEmpty();
        assertThat(scopeOf(created.value("operations-token"))).contains(ApiScope.OPERATIONS);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("TOKEN_ID: " + adminId, "relay token list");
    }

    @Test
    void adminCommands_missingDataDir_failNamingThePath_andCreateNothing() {
        Path typo = dataDir.resolve("relay-dta");

        for (String[] args : new String[][] {{"tenant", "list"}, {"tenant", "create", "acme"},
                {"token", "list", "--tenant", "t"}, {"agents", "list", "--tenant", "t"}}) {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", typo.toString())).toArray(String[]::new);
            Run run = run(all);

            assertThat(run.exitCode()).as(String.join(" ", args)).isNotZero();
            assertThat(run.err()).contains("data directory: " + typo.toAbsolutePath(), "relay serve", "--init");
            assertThat(run.out()).doesNotContain("wb_api_");
            assertThat(java.nio.file.Files.exists(typo)).as("created " + typo).isFalse();
        }
    }

    @Test
    void tenantCreate_init_startsANewStore_andSaysWhere() {
        Path fresh = dataDir.resolve("fresh");

        Run created = run("tenant", "create", "--init", "acme", "--data-dir", fresh.toString());

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.err()).contains("New store in data directory: " + fresh.toAbsolutePath());
        assertThat(Store.existsSqlite(fresh)).isTrue();
        Run listed = run("tenant", "list", "--data-dir", fresh.toString());
        assertThat(listed.err()).contains("Data directory: " + fresh.toAbsolutePath());
        assertThat(listed.out()).contains("acme");
    }

    @Test
    void adminCommands_takeTheDataDirOfConfig() throws Exception {
        tenant("acme");
        Path yaml = dataDir.resolve("relay.yaml");
        java.nio.file.Files.writeString(yaml, "dataDir: .\n");
        Path wrong = dataDir.resolve("other.yaml");
        java.nio.file.Files.writeString(wrong, "dataDir: nowhere\n");

        Run listed = run("tenant", "list", "--config", yaml.toString());
        Run missing = run("tenant", "list", "--config", wrong.toString());

        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("acme");
        assertThat(listed.err()).contains("Data directory: " + dataDir.toAbsolutePath().normalize());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("data directory: " + dataDir.resolve("nowhere").toAbsolutePath());
    }
}
