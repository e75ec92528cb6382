package dev.writeback.relay.store;

import dev.writeback.protocol.testing.FakeClock;
import static dev.writeback.relay.store.StoreFixture.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dataDir;

    private Store store;
    private MasterKey key;

    @BeforeEach
    void open() {
        key = StoreFixture.masterKey();
        store = StoreFixture.open(dataDir, key, new FakeClock(START));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void appendAudit_roundTripsEveryField() {
        var record = new AuditRecord(0, START, "t1", "req-1", "token-1", "RESET", "upn:ada@corp.example",
                "POLICY_VIOLATION", "HISTORY", "agent-1", 42, "password in history");

        store.appendAudit(record);

        AuditRecord read = store.audit("t1", Instant.EPOCH, 10).get(0);
        assertThat(read.seq()).isPositive();
        assertThat(read).usingRecursiveComparison().ignoringFields("seq").isEqualTo(record);
    }

    @Test
    void appendAudit_nullableFields_roundTrip() {
        var record = new AuditRecord(0, START, "t1", null, "cli", "SETTINGS", "", "OK", null, null, 0, null);

        store.appendAudit(record);

        assertThat(store.audit("t1", Instant.EPOCH, 10).get(0))
                .usingRecursiveComparison().ignoringFields("seq").isEqualTo(record);
    }

    @Test
    void appendAudit_nonZeroSeq_isRejected() {
        var record = new AuditRecord(7, START, "t1", null, "cli", "SETTINGS", "", "OK", null, null, 0, null);

        assertThatThrownBy(() -> store.appendAudit(record)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audit seq: 7");
    }

    @Test
    void audit_oldestFirst_sinceInclusive_limited() {
        store.appendAudit(record("t1", START.plusSeconds(30), "third"));
        store.appendAudit(record("t1", START.plusSeconds(10), "first"));
        store.appendAudit(record("t1", START.plusSeconds(20), "second"));
        store.appendAudit(record("t1", START.plusSeconds(20), "second-b"));
        store.appendAudit(record("t2", START.plusSeconds(20), "other tenant"));

        assertThat(store.audit("t1", Instant.EPOCH, 100)).extracting(AuditRecord::detail)
                .containsExactly("first", "second", "second-b", "third");
        assertThat(store.audit("t1", START.plusSeconds(20), 100)).extracting(AuditRecord::detail)
                .containsExactly("second", "second-b", "third");
        assertThat(store.audit("t1", START.plusSeconds(20), 2)).extracting(AuditRecord::detail)
                .containsExactly("second", "second-b");
        assertThat(store.audit("t1", START.plusSeconds(31), 100)).isEmpty();
    }

    @Test
    void audit_limitOutOfRange_isRejected() {
        assertThatThrownBy(() -> store.audit("t1", Instant.EPOCH, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audit limit: 0 (expected: 1 to 10000)");
    }

    @Test
    void appendAudit_overlongDetail_isCut() {
        store.appendAudit(record("t1", START, "x".repeat(5000)));

        assertThat(store.audit("t1", Instant.EPOCH, 1).get(0).detail()).hasSize(2000);
    }

    @Test
    void pruneAudit_deletesOlderRecordsOnly() {
        store.appendAudit(record("t1", START, "old"));
        store.appendAudit(record("t1", START.plusSeconds(60), "new"));

        assertThat(store.pruneAudit(START.plusSeconds(60))).isEqualTo(1);
        assertThat(store.audit("t1", Instant.EPOCH, 10)).extracting(AuditRecord::detail).containsExactly("new");
    }

    @Test
    void operation_isOnDiskAsCommittingBeforeCommit_thenCompletedInPlaceWithItsOutcome() throws Exception {
        store.draftAudit(new AuditRecord(0, START, "t1", "req-1", "token-1", "RESET", "upn:ada@corp.example",
                "COMMITTING", null, null, 0, null));
        store.auditBeforeCommit("t1", "req-1", "agent-1", "RESET", "upn:ada@corp.example").get(10, TimeUnit.SECONDS);

        // What a relay killed right after COMMIT leaves behind: read from a second connection to the file.
        try (Store other = StoreFixture.open(dataDir, key, new FakeClock(START))) {
            assertThat(other.audit("t1", Instant.EPOCH, 10)).singleElement().satisfies(r -> {
                assertThat(r.result()).isEqualTo("COMMITTING");
                assertThat(r.requestId()).isEqualTo("req-1");
                assertThat(r.actor()).isEqualTo("token-1");
                assertThat(r.agentId()).isEqualTo("agent-1");
                assertThat(r.anchor()).isEqualTo("upn:ada@corp.example");
            });
        }
        long seq = store.audit("t1", Instant.EPOCH, 10).get(0).seq();

        store.appendAudit(new AuditRecord(0, START.plusSeconds(1), "t1", "req-1", "token-1", "RESET",
                "upn:ada@corp.example", "SUCCESS", null, "agent-1", 7, "done"));

        assertThat(store.audit("t1", Instant.EPOCH, 10)).singleElement().satisfies(r -> {
            assertThat(r.seq()).isEqualTo(seq);
            assertThat(r.result()).isEqualTo("SUCCESS");
            assertThat(r.durationMillis()).isEqualTo(7);
            assertThat(r.detail()).isEqualTo("done");
        });
    }

    @Test
    void operation_movedToAnotherAgentBeforeCommit_keepsOneRecordNamingTheLastAgent() throws Exception {
        store.draftAudit(new AuditRecord(0, START, "t1", "req-2", "token-1", "RESET", "sam:ada", "COMMITTING", null,
                null, 0, null));
        store.auditBeforeCommit("t1", "req-2", "agent-1", "RESET", "sam:ada").get(10, TimeUnit.SECONDS);
        store.auditBeforeCommit("t1", "req-2", "agent-2", "RESET", "sam:ada").get(10, TimeUnit.SECONDS);

        assertThat(store.audit("t1", Instant.EPOCH, 10)).singleElement()
                .satisfies(r -> assertThat(r.agentId()).isEqualTo("agent-2"));
    }

    @Test
    void operationWithoutCommit_isAppendedOnce_andADroppedDraftLeavesNothing() {
        store.draftAudit(new AuditRecord(0, START, "t1", "req-3", "token-1", "RESET", "sam:ada", "COMMITTING", null,
                null, 0, null));
        store.appendAudit(new AuditRecord(0, START, "t1", "req-3", "token-1", "RESET", "sam:ada", "AGENT_OFFLINE", null,
                null, 0, null));
        store.draftAudit(new AuditRecord(0, START, "t1", "req-4", "token-1", "RESET", "sam:ada", "COMMITTING", null,
                null, 0, null));
        store.dropAuditDraft("req-4");

        assertThat(store.audit("t1", Instant.EPOCH, 10)).extracting(AuditRecord::result).containsExactly("AGENT_OFFLINE");
    }

    @Test
    void appendAudit_concurrentThreads_keepEveryRecord() throws Exception {
        int threads = 6;
        int perThread = 150;
        var executor = Executors.newFixedThreadPool(threads);
        try {
            var start = new CountDownLatch(1);
            var done = new ArrayList<Future<?>>();
            for (int t = 0; t < threads; t++) {
                String worker = "w" + t;
                done.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.appendAudit(record("t1", START, worker + "-" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        var all = store.audit("t1", Instant.EPOCH, 10_000);
        assertThat(all).hasSize(threads * perThread);
        assertThat(all).extracting(AuditRecord::detail).doesNotHaveDuplicates();
        assertThat(all).extracting(AuditRecord::seq).doesNotHaveDuplicates().isSorted();
        long[] commits = ((JdbcStore) store).auditCommits();
        assertThat(commits[1]).isEqualTo(threads * perThread);
        assertThat(commits[0]).as("group commit: never more commits than records").isLessThanOrEqualTo(commits[1]);
        System.out.printf("audit group commit: %d records in %d commits%n", commits[1], commits[0]);
    }

    private static AuditRecord record(String tenantId, Instant time, String detail) {
        return new AuditRecord(0, time, tenantId, "req", "cli", "RESET", "upn:ada@corp.example", "SUCCESS", null,
                "agent-1", 12, detail);
    }
}
