package dev.writeback.protocol.time;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where waits are scheduled, so that tests can move time instead of waiting for it (as Caffeine's
 * {@code Scheduler} is for its expiry). Reading time is a {@link java.time.Clock}'s job; waiting is this one's.
 * Production code wraps an executor with {@link #of}; tests use {@code FakeScheduler} from the protocol test jar,
 * which runs what is due when its clock is advanced.
 */
@FunctionalInterface
public interface Scheduler {
    /** Runs {@code task} once, {@code delay} from now (at once for zero or less). */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task that has not run yet can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run; false when it ran or was cancelled already. */
        boolean cancel();
    }

    /** Runs {@code task} after {@code delay}, then again {@code every} after each run ends, until cancelled. */
    default Cancellable repeat(Runnable task, Duration delay, Duration every) {
        requireNonNull(every, "every");
        var repeating = new Repeating(this, task, every);
        repeating.next(delay);
        return repeating;
    }

    /** A scheduler over {@code executor} (an event loop group, a scheduled thread pool). */
    static Scheduler of(ScheduledExecutorService executor) {
        requireNonNull(executor, "executor");
        return (task, delay) -> {
            var future = executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> future.cancel(false);
        };
    }

    /** The state of one {@link #repeat}. */
    final class Repeating implements Cancellable {
        private final Scheduler scheduler;
        private final Runnable task;
        private final Duration every;
        private volatile boolean cancelled;
        private volatile Cancellable pending;

        Repeating(Scheduler scheduler, Runnable task, Duration every) {
            this.scheduler = scheduler;
            this.task = requireNonNull(task, "task");
            this.every = every;
        }

        void next(Duration delay) {
            if (!cancelled) {
                pending = scheduler.schedule(this::run, delay);
            }
        }

        private void run() {
            if (cancelled) {
                return;
            }
            try {
                task.run();
            } finally {
                next(every);
            }
        }

        @Override
        public boolean cancel() {
            boolean was = !cancelled;
            cancelled = true;
            Cancellable p = pending;
            if (p != null) {
                p.cancel();
            }
            return was;
        }
    }
}
