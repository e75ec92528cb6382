package dev.writeback.relay.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Message;
import dev.writeback.protocol.hashsync.HashSyncBatch;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs hash sync batches from agent connections through the {@link HashSyncReceiver} on threads of their own, so
 * the Argon2id work of a full sync never takes the threads or the queue that password operations use. Each agent
 * keeps one batch unacknowledged, so the queue holds at most one batch per connected agent; when it is full a
 * batch is answered "not stored" and the agent sends it again in its next cycle.
 */
public final class HashSyncIntake implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(HashSyncIntake.class);

    private final HashSyncReceiver receiver;
    private final ThreadPoolExecutor executor;

    public HashSyncIntake(HashSyncReceiver receiver, int threads, int queue) {
        this.receiver = requireNonNull(receiver, "receiver");
        var counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "relay-hash-sync-" + counter.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);   // behind password operations when the CPU is short
            return t;
        });
    }

    /** The receiver (checks, status, settings). */
    public HashSyncReceiver receiver() {
        return receiver;
    }

    /** Stores one opened batch; completes with the acknowledgement to send (never exceptionally). */
    public CompletableFuture<Message.HashSyncAck> submit(String tenantId, String agentId, HashSyncBatch batch) {
        var answer = new CompletableFuture<Message.HashSyncAck>();
        try {
            executor.execute(() -> {
                try {
                    var ack = receiver.accept(tenantId, agentId, batch.cursor(), batch.fullSync(), batch.entries());
                    answer.complete(new Message.HashSyncAck(batch.cursor(), ack.enabled(), ack.enabled(), ack.fullSyncRequested()));
                } catch (RuntimeException e) {
                    logger.warn("RLY-606 hash sync batch not stored tenant={} agent={} cursor={}: {}", tenantId, agentId,
                            batch.cursor(), e.toString());
                    answer.complete(refused(tenantId, batch.cursor()));
                } finally {
                    batch.wipe();
                }
            });
        } catch (RejectedExecutionException e) {
            batch.wipe();
            logger.debug("hash sync batch from agent {} deferred: intake queue full", agentId);
            answer.complete(refused(tenantId, batch.cursor()));
        }
        return answer;
    }

    /** "Not stored": the agent keeps the batch's users for its next cycle. */
    public Message.HashSyncAck refused(String tenantId, long cursor) {
        boolean enabled;
        try {
            enabled = receiver.enabled(tenantId);
        } catch (RuntimeException e) {
            enabled = true;   // the store is down: the agent should retry, not stop
        }
        return new Message.HashSyncAck(cursor, false, enabled, false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
