package dev.writeback.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.testing.FakeClock;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only PostgreSQL has: two nodes migrating one database at once, transactions that PostgreSQL aborts for a
 * serialization conflict and the store runs again, and the errors of a server that is down or refuses the login.
 * Runs in the {@code postgres-store} execution against the test server of system-tests/postgres/postgres.sh.
 */
class PostgresDatabaseTest {
    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(StoreFixture.START);

    private StoreSettings freshDatabase() {
        var pg = TestPostgres.get();
        return pg.settings(pg.create("wb_pg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)));
    }

    @Test
    void twoNodesOpeningAFreshDatabaseAtOnce_applyEachMigrationOnce_andBothWork() throws Exception {
        StoreSettings settings = freshDatabase();
        MasterKey key = StoreFixture.masterKey();
        var barrier = new CyclicBarrier(2);
        var pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Store> node = () -> {
                barrier.await();
                return Store.open(settings, dir, key, clock, name -> null);
            };
            Future<Store> a = pool.submit(node);
            Future<Store> b = pool.submit(node);
            try (Store first = a.get(); Store second = b.get()) {
                Tenant t = first.createTenant("acme");
                assertThat(second.tenant(t.id())).as("the other node reads it").contains(t);
            }
        } finally {
            pool.shutdownNow();
        }
        try (var db = PostgresDatabase.open(settings, name -> null)) {
            List<Integer> versions = db.transaction(c -> Sql.list(c, "SELECT version FROM schema_version ORDER BY version",
                    rows -> rows.getInt(1)));
            assertThat(versions).as("each script once").containsExactly(
                    java.util.stream.IntStream.rangeClosed(1, Migrations.latest()).boxed().toArray(Integer[]::new));
        }
    }

    @Test
    void aTransactionAbortedForASerializationConflict_runsAgain_andLosesNoUpdate() throws Exception {
        StoreSettings settings = freshDatabase();
        try (var db = PostgresDatabase.open(settings, name -> null)) {
            db.transaction(c -> Sql.update(c, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"));
            db.transaction(c -> Sql.update(c, "INSERT INTO counter (id, n) VALUES (1, 0)"));
            var readByFirst = new java.util.concurrent.CountDownLatch(1);
            var committedBySecond = new java.util.concurrent.CountDownLatch(1);
            var attempts = new java.util.concurrent.atomic.AtomicInteger();
            var pool = Executors.newSingleThreadExecutor();
            try {
                // The first reads n, then waits until the second has read and committed n + 1, then writes its n + 1:
                // PostgreSQL aborts it (40001), and its second attempt reads the new n.
                Future<Integer> first = pool.submit(() -> db.transaction(c -> {
                    int n = Sql.one(c, "SELECT n FROM counter WHERE id = 1", rows -> rows.getInt(1)).orElseThrow();
                    if (attempts.incrementAndGet() == 1) {
                        readByFirst.countDown();
                        await(committedBySecond);
                    }
                    return Sql.update(c, "UPDATE counter SET n = ? WHERE id = 1", n + 1);
                }));
                await(readByFirst);
                db.transaction(c -> {
                    int n = Sql.one(c, "SELECT n FROM counter WHERE id = 1", rows -> rows.getInt(1)).orElseThrow();
                    return Sql.update(c, "UPDATE counter SET n = ? WHERE id = 1", n + 1);
                });
                committedBySecond.countDown();
                assertThat(first.get()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            int n = db.transaction(c -> Sql.one(c, "SELECT n FROM counter WHERE id = 1", rows -> rows.getInt(1)).orElseThrow());
            assertThat(n).as("both increments").isEqualTo(2);
            assertThat(attempts).as("aborted once, then run again").hasValue(2);
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            assertThat(latch.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServerThatIsDown_isUnavailable_namingTheAddress_withinTheConnectTimeout() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Path pw = Files.writeString(dir.resolve("pw"), "Secret-Pg-Password-1\n");
        var settings = new StoreSettings("jdbc:postgresql://127.0.0.1:" + closed + "/writeback", "writeback", pw, null, 2);
        long started = System.nanoTime();

        assertThatThrownBy(() -> Store.open(settings, dir, StoreFixture.masterKey(), clock, name -> null))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + closed).doesNotContain("Secret-Pg-Password-1");
                });
        assertThat(System.nanoTime() - started).as("fails within the connect timeout, not after minutes")
                .isLessThan(PostgresDatabase.CONNECT_TIMEOUT.multipliedBy(3).toNanos());
    }

    @Test
    void aWrongPassword_saysTheLoginWasRefused_withoutThePassword() throws Exception {
        var pg = TestPostgres.get();
        Path wrong = Files.writeString(dir.resolve("wrong.pw"), "Not-The-Password-7\n");
        var good = pg.settings("writeback");
        var settings = new StoreSettings(good.url(), good.username(), wrong, null, 2);

        assertThatThrownBy(() -> Store.open(settings, dir, StoreFixture.masterKey(), clock, name -> null))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.getMessage())
                        .contains("refused the login").contains(good.address()).doesNotContain("Not-The-Password-7"));
        assertThat(settings.toString()).doesNotContain("Not-The-Password-7").contains("wrong.pw");
    }

    @Test
    void theWrongMasterKey_isRefused_onAStoreAnotherNodeCreated() {
        StoreSettings settings = freshDatabase();
        try (Store first = Store.open(settings, dir, StoreFixture.masterKey(), clock, name -> null)) {
            first.createTenant("acme");
        }
        assertThatThrownBy(() -> Store.open(settings, dir, StoreFixture.masterKey(), clock, name -> null))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.CORRUPT));
    }

    @Test
    void thePasswordComesFromTheEnvironment_whenNoFileIsNamed() throws Exception {
        var pg = TestPostgres.get();
        var fromFile = pg.settings(pg.create("wb_pg_env_" + Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE)));
        String password = Files.readAllLines(fromFile.passwordFile()).get(0).strip();
        var fromEnv = new StoreSettings(fromFile.url(), fromFile.username(), null, "WB_TEST_PG_PASSWORD", 2);

        try (Store store = Store.open(fromEnv, dir, StoreFixture.masterKey(), clock,
                name -> name.equals("WB_TEST_PG_PASSWORD") ? password : null)) {
            assertThat(store.tenants()).isEmpty();
        }
        assertThatThrownBy(() -> Store.open(fromEnv, dir, StoreFixture.masterKey(), clock, name -> null))
                .hasMessageContaining("store.passwordEnv: WB_TEST_PG_PASSWORD is not set");
    }
}
