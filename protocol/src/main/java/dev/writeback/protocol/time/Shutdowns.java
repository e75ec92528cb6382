package dev.writeback.protocol.time;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stopping a thread pool the same way in relay and agent: no new tasks, then a bounded wait for running ones. */
public final class Shutdowns {
    private Shutdowns() {}

    /**
     * Shuts {@code executor} down and waits up to {@code within} for its tasks to end; true when they did. An
     * interrupt ends the wait early and stays set on the calling thread.
     */
    public static boolean orderly(ExecutorService executor, Duration within) {
        executor.shutdown();
        try {
            return executor.awaitTermination(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
