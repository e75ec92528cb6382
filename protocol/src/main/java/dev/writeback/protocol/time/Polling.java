package dev.writeback.protocol.time;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition that nothing signals (requests draining at shutdown), by asking again on a
 * {@link Scheduler}: tests move the scheduler's time instead of sleeping.
 */
public final class Polling {
    private Polling() {}

    /**
     * Completes with true as soon as {@code condition} holds (asked now, then every {@code every}), or with false
     * once {@code within} has passed on the scheduler without it. A condition that throws completes the future
     * exceptionally.
     */
    public static CompletableFuture<Boolean> until(BooleanSupplier condition, Duration within, Duration every,
                                                   Scheduler scheduler) {
        requireNonNull(condition, "condition");
        requireNonNull(scheduler, "scheduler");
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("every: " + every + " (expected: > 0)");
        }
        long polls = Math.max(0, (within.toNanos() + every.toNanos() - 1) / every.toNanos());
        var done = new CompletableFuture<Boolean>();
        ask(condition, polls, every, scheduler, done);
        return done;
    }

    private static void ask(BooleanSupplier condition, long pollsLeft, Duration every, Scheduler scheduler,
                            CompletableFuture<Boolean> done) {
        try {
            if (condition.getAsBoolean()) {
                done.complete(true);
            } else if (pollsLeft == 0) {
                done.complete(false);
            } else {
                scheduler.schedule(() -> ask(condition, pollsLeft - 1, every, scheduler, done), every);
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
