package dev.writeback.relay.agent;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * One request written (or being written) to a session: whether the agent accepted it, whether the COMMIT that
 * lets the agent apply it went out, and how to finish it. {@code onOutcome} completes the caller; {@code onMiss}
 * hands a request that cannot have been applied back to the router.
 */
public final class Pending {
    /** Why a request left a session without being accepted. */
    public enum Miss {
        /** The session was full. */
        BUSY,
        /** The session was closed or draining, or the connection was lost before COMMIT: nothing was applied. */
        GONE
    }

    /** The COMMIT's progress: only NONE and FAILED prove the agent cannot have applied the request. */
    enum Commit {
        NONE, SENDING, WRITTEN, FAILED;

        /** Whether the agent may have read the COMMIT (and so applied the request). */
        boolean mayHaveReachedAgent() {
            return this == SENDING || this == WRITTEN;
        }
    }

    final RequestId requestId;
    final int keyVersion;
    final Consumer<Outcome> onOutcome;
    final Consumer<Miss> onMiss;
    boolean accepted;
    /** The operation and anchor, for the audit record written before COMMIT. */
    String operation;
    String anchor;
    /** Where the COMMIT for this request stands; the agent applies a request only after reading its COMMIT. */
    Commit commit = Commit.NONE;
    ScheduledFuture<?> deadline;

    Pending(RequestId requestId, int keyVersion, Consumer<Outcome> onOutcome, Consumer<Miss> onMiss) {
        this.requestId = requestId;
        this.keyVersion = keyVersion;
        this.onOutcome = onOutcome;
        this.onMiss = onMiss;
    }

    void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
