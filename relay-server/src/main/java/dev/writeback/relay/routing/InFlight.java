package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One sealed request on its way to one agent, and the only place that decides what each thing that can happen
 * to it means. The agent applies a request only after reading the relay's COMMIT (docs/protocol.md), so the
 * state it is in when something happens says whether it can have been applied:
 *
 * <pre>
 *   CREATED ──write──▶ WRITTEN ──ACCEPTED──▶ ACCEPTED ──audit, COMMIT──▶ COMMITTING ──▶ COMMITTED ──RESULT──▶ ended
 *      │                  │                     │                             (a COMMIT whose write failed
 *      └──────────────────┴─────────────────────┴── nothing applied            goes back to ACCEPTED)
 *                                                   (lost, refused, busy, deadline: moves on or ends retry-safe)
 *                                        COMMITTING / COMMITTED ── lost or deadline ──▶ OUTCOME_UNKNOWN
 * </pre>
 *
 * Each event ends the request at most once, either as a {@link Missed} (nothing applied, and another agent may
 * take it: the router re-seals it for that one) or as {@link Finished} with its outcome and whether a caller
 * may send it again. An endpoint reports events from one thread at a time (a session: its event loop).
 */
public final class InFlight {
    private static final Logger logger = LoggerFactory.getLogger(InFlight.class);

    /** Where a request stands with its agent. */
    public enum State {
        /** Sealed and handed to an endpoint, not yet on the wire. */
        CREATED,
        /** Written to the agent's connection. */
        WRITTEN,
        /** The agent accepted it and waits for COMMIT; the relay writes its audit record first. */
        ACCEPTED,
        /** The COMMIT is being written: from here on the agent may have read it and applied the request. */
        COMMITTING,
        /** The COMMIT was written. */
        COMMITTED,
        /** Finished or handed back. */
        ENDED
    }

    /** Why a request left an endpoint unapplied. */
    public enum Miss {
        /** The endpoint (or the relay) was at its limit. */
        BUSY,
        /** The endpoint was closed or draining, or its connection was lost before COMMIT. */
        GONE
    }

    /** How a request left its endpoint. */
    public sealed interface End permits Finished, Missed {}

    /** A final outcome; {@code retrySafe} says nothing can have been applied. */
    public record Finished(Outcome outcome, boolean retrySafe) implements End {
        public Finished {
            requireNonNull(outcome, "outcome");
        }
    }

    /** Nothing was applied and another agent may take the request. */
    public record Missed(Miss why) implements End {
        public Missed {
            requireNonNull(why, "why");
        }
    }

    private final RequestInfo info;
    private final SealedRequest sealed;
    private final Consumer<End> onEnd;
    private volatile State state = State.CREATED;
    private volatile State endedIn;

    /** A request sealed for {@code sealed.agentId()}; {@code onEnd} runs once, on the endpoint's thread. */
    public InFlight(RequestInfo info, SealedRequest sealed, Consumer<End> onEnd) {
        this.info = requireNonNull(info, "info");
        this.sealed = requireNonNull(sealed, "sealed");
        this.onEnd = requireNonNull(onEnd, "onEnd");
    }

    public RequestInfo info() {
        return info;
    }

    public SealedRequest sealed() {
        return sealed;
    }

    /** The state now. */
    public State state() {
        return state;
    }

    /** The state the request was in when it ended (null while in flight). */
    public State endedIn() {
        return endedIn;
    }

    /** Whether the agent may have read a COMMIT for it, and so applied it. */
    public boolean mayHaveApplied() {
        State s = state == State.ENDED ? endedIn : state;
        return s == State.COMMITTING || s == State.COMMITTED;
    }

    // ---- events, reported by the endpoint

    /** The endpoint did not take it: closed or draining ({@link Miss#GONE}), or full ({@link Miss#BUSY}). */
    public void notTaken(Miss why) {
        miss(why);
    }

    /** Its deadline passed before it could be written. */
    public void expiredBeforeWrite() {
        finish(ResultCode.TIMEOUT, "deadline passed before the request could be delivered", true);
    }

    /** The request frame reached the connection. */
    public void written() {
        if (state == State.CREATED) {
            state = State.WRITTEN;
        }
    }

    /** The request frame could not be written: the connection is gone. */
    public void writeFailed() {
        if (state == State.CREATED || state == State.WRITTEN) {
            miss(Miss.GONE);
        }
    }

    /**
     * The agent accepted it. True the first time: the endpoint then writes the audit record and, when it is
     * durable and {@link #commitAllowed()} still holds, the COMMIT. A repeated ACCEPTED changes nothing.
     */
    public boolean accepted() {
        if (state == State.CREATED || state == State.WRITTEN) {
            state = State.ACCEPTED;
            return true;
        }
        return false;
    }

    /** Whether a COMMIT may go out now: accepted, and not ended meanwhile (deadline, lost connection). */
    public boolean commitAllowed() {
        return state == State.ACCEPTED;
    }

    /** The audit record could not be written before COMMIT, so none is sent. */
    public void auditFailed(Throwable failure) {
        if (state == State.ENDED) {
            return;
        }
        try (var ignored = MDC.putCloseable("requestId", info.requestId().toString())) {
            logger.warn("RLY-344 audit record not written agent={} requestId={}: COMMIT withheld, nothing applied: {}",
                    sealed.agentId(), info.requestId(), failure.toString());
        }
        finish(ResultCode.INTERNAL_ERROR,
                "relay: the audit record could not be written before COMMIT, so none was sent; nothing was applied", true);
    }

    /** The COMMIT is about to be written. */
    public void commitSending() {
        if (state == State.ACCEPTED) {
            state = State.COMMITTING;
        }
    }

    /** The COMMIT's write finished; a failed write never reached the agent. */
    public void commitWritten(boolean success) {
        if (state == State.COMMITTING) {
            state = success ? State.COMMITTED : State.ACCEPTED;
        }
    }

    /** The agent's RESULT, opened: the agent's own verdict, retry-safe where its code says nothing was applied. */
    public void result(Outcome outcome) {
        if (state != State.ENDED) {
            end(new Finished(outcome, outcome.code().retrySafe()));
        }
    }

    /** A RESULT came that did not open (wrong key, bad tag, malformed). */
    public void resultUnreadable(String why) {
        finish(ResultCode.OUTCOME_UNKNOWN, "agent result did not open: " + why, !mayHaveApplied());
    }

    /** The agent refused the request with an ERROR frame. */
    public void refused(ErrorCode code, String message) {
        if (state == State.ENDED) {
            return;
        }
        if (code == ErrorCode.BUSY && (state == State.CREATED || state == State.WRITTEN)) {
            miss(Miss.BUSY);
            return;
        }
        ResultCode result = switch (code) {
            case EXPIRED -> ResultCode.EXPIRED;
            case BAD_TAG, UNKNOWN_KEY_VERSION, REPLAYED, MALFORMED_FRAME -> ResultCode.REJECTED_MESSAGE;
            default -> ResultCode.INTERNAL_ERROR;
        };
        finish(result, "agent rejected the request: " + code + ": " + message, !mayHaveApplied());
    }

    /** The connection closed before a RESULT. */
    public void connectionLost() {
        if (state == State.ENDED) {
            return;
        }
        try (var ignored = MDC.putCloseable("requestId", info.requestId().toString())) {
            if (mayHaveApplied()) {
                logger.warn("RLY-340 connection lost after COMMIT agent={} requestId={}: outcome unknown, not retried",
                        sealed.agentId(), info.requestId());
                finish(ResultCode.OUTCOME_UNKNOWN, "agent " + sealed.agentId()
                        + " was told to apply the request, then its connection closed before RESULT", false);
            } else {
                logger.info("RLY-343 connection lost before COMMIT agent={} requestId={} accepted={}: nothing applied,"
                        + " trying another agent", sealed.agentId(), info.requestId(), state == State.ACCEPTED);
                miss(Miss.GONE);
            }
        }
    }

    /** The deadline passed without a RESULT. */
    public void deadlinePassed() {
        if (state == State.ENDED) {
            return;
        }
        try (var ignored = MDC.putCloseable("requestId", info.requestId().toString())) {
            logger.warn("RLY-341 deadline passed agent={} requestId={} state={}", sealed.agentId(), info.requestId(), state);
        }
        if (mayHaveApplied()) {
            finish(ResultCode.OUTCOME_UNKNOWN, "agent " + sealed.agentId()
                    + " was told to apply the request but sent no result before the deadline", false);
        } else {
            finish(ResultCode.TIMEOUT, "agent " + sealed.agentId()
                    + " did not accept the request before the deadline; nothing was applied", true);
        }
    }

    // ---- events of a request delivered by another relay node (its own InFlight decided; this one takes it over)

    /**
     * The node that holds the agent's session ended the request with {@code end}, in state {@code endedThere}:
     * this flight ends the same way, so {@link #mayHaveApplied()} and {@code retrySafe} say what they said there.
     */
    public void endedElsewhere(End end, State endedThere) {
        requireNonNull(end, "end");
        requireNonNull(endedThere, "endedThere");
        if (state == State.ENDED) {
            return;
        }
        state = endedThere == State.ENDED || endedThere == State.CREATED ? state : endedThere;
        end(end);
    }

    /**
     * The request went to another node and no answer came back before the deadline: that node may have delivered
     * it and sent the COMMIT, so it may have been applied.
     */
    public void lostElsewhere(String node) {
        if (state == State.ENDED) {
            return;
        }
        try (var ignored = MDC.putCloseable("requestId", info.requestId().toString())) {
            logger.warn("RLY-342 no answer from the relay node holding agent={} requestId={}: outcome unknown, not"
                    + " retried", sealed.agentId(), info.requestId());
        }
        state = State.COMMITTING;   // what the other node may have reached
        finish(ResultCode.OUTCOME_UNKNOWN, "the request was forwarded to relay node " + node + " (holding agent "
                + sealed.agentId() + "), and no answer came back before the deadline", false);
    }

    // ---- verdicts of routing itself, before or between endpoints: nothing was applied in any of them

    /** No endpoint of the tenant took it within the wait; {@code sawBusy}: some were full. */
    public static Finished noAgent(boolean sawBusy) {
        return sawBusy
                ? new Finished(Outcome.of(ResultCode.BUSY, "every agent of the tenant is at its in-flight limit"), true)
                : new Finished(Outcome.of(ResultCode.AGENT_OFFLINE, "no agent of the tenant is connected"), true);
    }

    /** Routing itself failed (the relay is stopping); every earlier attempt ended unapplied. */
    public static Finished routingFailed(RuntimeException e) {
        return new Finished(Outcome.of(ResultCode.AGENT_OFFLINE, "routing failed: " + e.getClass().getSimpleName()), true);
    }

    /** The request could not be sealed for the chosen agent. */
    public static Finished sealingFailed(RuntimeException e) {
        return new Finished(Outcome.of(ResultCode.INTERNAL_ERROR, "sealing failed: " + e.getMessage()), true);
    }

    /** The relay's blocking pool refused the next step. */
    public static Finished relayBusy() {
        return new Finished(Outcome.of(ResultCode.BUSY, "relay: its blocking pool is full"), true);
    }

    /**
     * Routing gave no outcome within the deadline plus a slack: a relay fault. The request may have reached an
     * agent, so it is unknown whether it was applied.
     */
    public static Finished routingSilent(long slackSeconds) {
        return new Finished(Outcome.of(ResultCode.OUTCOME_UNKNOWN,
                "relay: routing gave no outcome within the deadline plus " + slackSeconds + " s"), false);
    }

    // ----

    private void finish(ResultCode code, String diagnostic, boolean retrySafe) {
        if (state != State.ENDED) {
            end(new Finished(Outcome.of(code, diagnostic), retrySafe));
        }
    }

    private void miss(Miss why) {
        if (state != State.ENDED) {
            end(new Missed(why));
        }
    }

    private void end(End end) {
        endedIn = state;
        state = State.ENDED;
        onEnd.accept(end);
    }

    @Override
    public String toString() {
        return "InFlight[requestId=" + info.requestId() + ", agent=" + sealed.agentId() + ", state=" + state + "]";
    }
}
