package dev.writeback.agent.link;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts refusals and lets one log line through per interval, carrying how many there were since the last line, so
 * that a flood of refused requests costs one line a minute instead of one per request. Thread-safe.
 */
final class RefusalLog {
    private final Clock clock;
    private final Duration every;
    private long unreported;
    private Instant lastLine;

    RefusalLog(Clock clock, Duration every) {
        this.clock = clock;
        this.every = every;
    }

    /** Counts one refusal; returns how many to report now (this one included), or 0 when this one is not logged. */
    synchronized long refused() {
        unreported++;
        Instant now = clock.instant();
        if (lastLine != null && now.isBefore(lastLine.plus(every))) {
            return 0;
        }
        lastLine = now;
        long count = unreported;
        unreported = 0;
        return count;
    }
}
