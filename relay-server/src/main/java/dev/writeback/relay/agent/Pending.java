package dev.writeback.relay.agent;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * One request written (or being written) to a session: whether the agent accepted it, and how to finish it.
 * {@code onOutcome} completes the caller; {@code onRetry} hands a request that never reached the agent back to the
 * router.
 */
public final class Pending {
    /** Why a request left a session without being accepted. */
    public enum Miss {
        /** The session was full. */
        BUSY,
        /** The session was closed or draining, or the write failed: the request never left the relay. */
        GONE
    }

    final RequestId requestId;
    final int keyVersion;
    final Consumer<Outcome> onOutcome;
    final Consumer<Miss> onRetry;
    boolean accepted;
    /** The REQUEST left the relay: from now on the agent may have it, even if no ACCEPTED arrives. */
    boolean written;
    ScheduledFuture<?> deadline;

    Pending(RequestId requestId, int keyVersion, Consumer<Outcome> onOutcome, Consumer<Miss> onRetry) {
        this.requestId = requestId;
        this.keyVersion = keyVersion;
        this.onOutcome = onOutcome;
        this.onRetry = onRetry;
    }

    void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
