package dev.writeback.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
    /** Transactions that record which works committed; the first one can be held open. */
    private final Set<Integer> committed = ConcurrentHashMap.newKeySet();
    private final List<Integer> staged = new ArrayList<>();
    private final AtomicInteger transactions = new AtomicInteger();
    private final CountDownLatch firstEntered = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final GroupCommit group = new GroupCommit(work -> {
        if (transactions.incrementAndGet() == 1) {
            firstEntered.countDown();
            await(releaseFirst);
        }
        staged.clear();   // only the writer thread runs transactions
        try {
            work.run(null);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "test: " + e.getMessage(), e);
        }
        committed.addAll(staged);
    }, "test-writer");

    @AfterEach
    void close() {
        releaseFirst.countDown();
        group.close();
    }

    @Test
    void recordsQueuedDuringACommit_shareTheNextOne_andEachCallerCompletesOnlyAfterItsCommit() throws Exception {
        var violations = ConcurrentHashMap.<Integer>newKeySet();
        var first = record(0, violations);
        assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
        var threads = new ArrayList<Thread>();
        var futures = new ConcurrentHashMap<Integer, CompletableFuture<Integer>>();
        for (int t = 0; t < 8; t++) {
            int base = 1 + t * 25;
            var thread = new Thread(() -> {
                for (int i = base; i < base + 25; i++) {
                    futures.put(i, record(i, violations));
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(first).as("the first caller waits for its commit").isNotDone();
        assertThat(futures.values()).as("callers queued behind an open commit").noneMatch(CompletableFuture::isDone);

        releaseFirst.countDown();
        CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();

        assertThat(committed).hasSize(201);
        assertThat(violations).as("callers completed before their record committed").isEmpty();
        assertThat(group.works()).isEqualTo(201);
        assertThat(group.commits()).as("201 records, one commit for the first and one for the 200 queued").isEqualTo(2);
    }

    @Test
    void aFailingRecord_failsOnlyItsOwnCaller() throws Exception {
        var held = record(0, ConcurrentHashMap.newKeySet());
        assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
        var good1 = record(1, ConcurrentHashMap.newKeySet());
        CompletableFuture<Integer> bad = group.submit(c -> {
            throw new SQLException("constraint failed");
        });
        var good2 = record(2, ConcurrentHashMap.newKeySet());
        releaseFirst.countDown();

        assertThat(good1.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(good2.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(held.get(10, TimeUnit.SECONDS)).isZero();
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("constraint failed");
        assertThat(committed).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void close_commitsWhatIsQueued_thenRefusesWork() throws Exception {
        var held = record(0, ConcurrentHashMap.newKeySet());
        assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();
        var queued = record(1, ConcurrentHashMap.newKeySet());
        releaseFirst.countDown();
        group.close();

        assertThat(held.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> record(2, ConcurrentHashMap.newKeySet()).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreException.class).hasMessageContaining("store: closed");
    }

    /** Submits record {@code id}; its completion notes a violation when the record had not committed yet. */
    private CompletableFuture<Integer> record(int id, Set<Integer> violations) {
        CompletableFuture<Integer> f = group.submit(c -> {
            staged.add(id);
            return id;
        });
        f.whenComplete((v, e) -> {
            if (e == null && !committed.contains(id)) {
                violations.add(id);
            }
        });
        return f;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test: latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
