package dev.writeback.agent.embedded;

import java.time.Instant;

/** Windows FILETIME: 100-nanosecond intervals since 1601-01-01, the unit of pwdLastSet and lockoutTime. */
final class FileTime {
    private static final long EPOCH_DIFF_MILLIS = 11_644_473_600_000L;

    private FileTime() {}

    static long of(Instant instant) {
        return (instant.toEpochMilli() + EPOCH_DIFF_MILLIS) * 10_000L;
    }
}
