package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one writer thread takes every unit of work queued since its last commit and runs them in one
 * transaction, so many callers share one fsync. A caller's future completes only after the transaction that holds
 * its work has committed (durable, with {@code synchronous=FULL}); if a batch fails, each of its works is retried
 * in a transaction of its own, so one bad record fails only its own caller.
 */
final class GroupCommit implements AutoCloseable {
    /** Runs {@code work} in one transaction and returns once it committed; throws when it did not. */
    @FunctionalInterface
    interface Transactions {
        void inOne(Database.Work<Void> work);
    }

    private static final Logger logger = LoggerFactory.getLogger(GroupCommit.class);
    /** Largest batch: bounds how long one transaction holds the database lock. */
    static final int MAX_BATCH = 512;

    private final Transactions transactions;
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong works = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    GroupCommit(Transactions transactions, String name) {
        this.transactions = requireNonNull(transactions, "transactions");
        this.writer = new Thread(this::loop, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues {@code work}; the future completes with its result once its transaction committed. */
    <T> CompletableFuture<T> submit(Database.Work<T> work) {
        requireNonNull(work, "work");
        var job = new Job<T>(work);
        if (closed) {
            job.done.completeExceptionally(closedException());
            return job.done;
        }
        queue.add(job);
        if (closed && queue.remove(job)) {   // close() ran between the check and the add
            job.done.completeExceptionally(closedException());
        }
        return job.done;
    }

    /** Transactions committed so far (each one fsync). */
    long commits() {
        return commits.get();
    }

    /** Works committed so far. */
    long works() {
        return works.get();
    }

    private void loop() {
        var batch = new ArrayList<Job<?>>();
        while (true) {
            try {
                Job<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(closedException());
                return;
            } catch (RuntimeException | Error e) {   // never lose the thread: fail the batch and carry on
                logger.warn("Group commit batch failed: {}", e.toString());
                batch.forEach(j -> j.done.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void run(List<Job<?>> batch) {
        try {
            transactions.inOne(c -> {
                for (Job<?> j : batch) {
                    j.run(c);
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).done.completeExceptionally(e);
                return;
            }
            for (Job<?> j : batch) {   // find the work that failed; the others still commit
                try {
                    transactions.inOne(c -> {
                        j.run(c);
                        return null;
                    });
                    commits.incrementAndGet();
                    works.incrementAndGet();
                    j.complete();
                } catch (RuntimeException each) {
                    j.done.completeExceptionally(each);
                }
            }
            return;
        }
        commits.incrementAndGet();
        works.addAndGet(batch.size());
        batch.forEach(Job::complete);
    }

    private void failAll(RuntimeException e) {
        Job<?> j;
        while ((j = queue.poll()) != null) {
            j.done.completeExceptionally(e);
        }
    }

    private static StoreException closedException() {
        return new StoreException(StoreException.Kind.UNAVAILABLE, "store: closed (expected: an open store)");
    }

    /** Stops taking work, commits what is queued, and stops the writer (waits up to 10 s). */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(closedException());
    }

    private static final class Job<T> {
        final Database.Work<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;

        Job(Database.Work<T> work) {
            this.work = work;
        }

        void run(Connection c) throws java.sql.SQLException {
            result = work.run(c);
        }

        void complete() {
            done.complete(result);
        }
    }
}
