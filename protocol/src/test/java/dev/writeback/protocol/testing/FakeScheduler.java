package dev.writeback.protocol.testing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} on a {@link FakeClock}: nothing runs until {@link #advance} moves the clock past a task's
 * time (or {@link #runDue} finds it due), then tasks run on the calling thread in time order, ties in the order
 * they were scheduled. Not thread-safe: one test thread drives it.
 */
public final class FakeScheduler implements Scheduler {
    private final FakeClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long sequence;

    public FakeScheduler(FakeClock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** The clock this scheduler reads. */
    public FakeClock clock() {
        return clock;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        requireNonNull(task, "task");
        var t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        tasks.add(t);
        return () -> {
            synchronized (FakeScheduler.this) {
                return tasks.remove(t);
            }
        };
    }

    /** Moves the clock by {@code duration}, running every task that falls due on the way at its own time. */
    public void advance(Duration duration) {
        Instant target = clock.instant().plus(duration);
        for (Task next; (next = nextDue(target)) != null; ) {
            if (next.at.isAfter(clock.instant())) {
                clock.advance(Duration.between(clock.instant(), next.at));
            }
            next.task.run();
        }
        if (target.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), target));
        }
    }

    /** Runs the tasks due now (delay zero, or the clock was moved directly). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Tasks scheduled and not yet run or cancelled. */
    public synchronized int pending() {
        return tasks.size();
    }

    private synchronized Task nextDue(Instant until) {
        Task first = tasks.stream().min(Comparator.comparing((Task t) -> t.at).thenComparingLong(t -> t.seq)).orElse(null);
        if (first == null || first.at.isAfter(until)) {
            return null;
        }
        tasks.remove(first);
        return first;
    }

    private record Task(Instant at, long seq, Runnable task) {}
}
