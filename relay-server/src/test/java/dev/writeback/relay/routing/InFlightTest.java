package dev.writeback.relay.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.routing.InFlight.Finished;
import dev.writeback.relay.routing.InFlight.Miss;
import dev.writeback.relay.routing.InFlight.Missed;
import dev.writeback.relay.routing.InFlight.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every state of one request with its agent, and what each event means in it. */
class InFlightTest {
    private final List<InFlight.End> ends = new ArrayList<>();
    private final InFlight flight = new InFlight(
            new RequestInfo("tenant-1", RequestId.random(), Operation.RESET, "sam:ada", Instant.parse("2026-01-01T00:00:15Z")),
            new SealedRequest("agent-1", 1, new byte[] {1, 2, 3}), ends::add);

    private InFlight.End onlyEnd() {
        assertThat(ends).hasSize(1);
        assertThat(flight.state()).isEqualTo(State.ENDED);
        return ends.get(0);
    }

    private Finished finished() {
        return (Finished) onlyEnd();
    }

    private void toCommitted() {
        flight.written();
        assertThat(flight.accepted()).isTrue();
        flight.commitSending();
        flight.commitWritten(true);
        assertThat(flight.state()).isEqualTo(State.COMMITTED);
    }

    @Test
    void walksCreatedWrittenAcceptedCommittingCommitted() {
        assertThat(flight.state()).isEqualTo(State.CREATED);
        flight.written();
        assertThat(flight.state()).isEqualTo(State.WRITTEN);
        assertThat(flight.accepted()).isTrue();
        assertThat(flight.state()).isEqualTo(State.ACCEPTED);
        assertThat(flight.commitAllowed()).isTrue();
        assertThat(flight.mayHaveApplied()).isFalse();
        flight.commitSending();
        assertThat(flight.state()).isEqualTo(State.COMMITTING);
        assertThat(flight.mayHaveApplied()).as("the agent may read a COMMIT being written").isTrue();
        flight.commitWritten(true);
        assertThat(flight.state()).isEqualTo(State.COMMITTED);
        assertThat(ends).isEmpty();
    }

    @Test
    void repeatedAccepted_doesNotCommitTwice() {
        flight.written();
        assertThat(flight.accepted()).isTrue();
        assertThat(flight.accepted()).isFalse();
        flight.commitSending();
        assertThat(flight.accepted()).isFalse();
        assertThat(flight.state()).isEqualTo(State.COMMITTING);
    }

    @Test
    void acceptedBeforeTheWriteIsReported_stillCounts() {
        assertThat(flight.accepted()).isTrue();
        flight.written();   // the write listener after the agent's answer: changes nothing
        assertThat(flight.state()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void failedCommitWrite_goesBackToAccepted_soALossAfterItMovesOn() {
        flight.written();
        flight.accepted();
        flight.commitSending();
        flight.commitWritten(false);
        assertThat(flight.state()).isEqualTo(State.ACCEPTED);
        assertThat(flight.commitAllowed()).as("no second COMMIT on a broken connection is needed").isTrue();

        flight.connectionLost();

        assertThat(onlyEnd()).isEqualTo(new Missed(Miss.GONE));
        assertThat(flight.endedIn()).isEqualTo(State.ACCEPTED);
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"CREATED", "WRITTEN", "ACCEPTED"})
    void connectionLostBeforeCommit_isAMiss(State at) {
        advanceTo(at);
        flight.connectionLost();
        assertThat(onlyEnd()).isEqualTo(new Missed(Miss.GONE));
        assertThat(flight.mayHaveApplied()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"COMMITTING", "COMMITTED"})
    void connectionLostAfterCommit_isOutcomeUnknown_notRetrySafe(State at) {
        advanceTo(at);
        flight.connectionLost();
        Finished f = finished();
        assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
        assertThat(f.retrySafe()).isFalse();
        assertThat(flight.mayHaveApplied()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"CREATED", "WRITTEN", "ACCEPTED"})
    void deadlineBeforeCommit_isTimeout_retrySafe(State at) {
        advanceTo(at);
        flight.deadlinePassed();
        Finished f = finished();
        assertThat(f.outcome().code()).isEqualTo(ResultCode.TIMEOUT);
        assertThat(f.retrySafe()).isTrue();
        assertThat(f.outcome().adminDiagnostic()).contains("nothing was applied");
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"COMMITTING", "COMMITTED"})
    void deadlineAfterCommit_isOutcomeUnknown(State at) {
        advanceTo(at);
        flight.deadlinePassed();
        Finished f = finished();
        assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
        assertThat(f.retrySafe()).isFalse();
    }

    @Test
    void result_endsWithTheAgentsVerdict_retrySafeAsItsCodeSays() {
        toCommitted();
        var outcome = Outcome.of(ResultCode.SUCCESS, "set on dc1");
        flight.result(outcome);
        assertThat(finished()).isEqualTo(new Finished(outcome, false));
    }

    @Test
    void directoryUnavailableResult_isRetrySafe() {
        toCommitted();
        flight.result(Outcome.of(ResultCode.DIRECTORY_UNAVAILABLE, "dc1 down"));
        assertThat(finished().retrySafe()).isTrue();
    }

    @Test
    void unreadableResult_afterCommit_isOutcomeUnknown() {
        toCommitted();
        flight.resultUnreadable("bad tag");
        Finished f = finished();
        assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
        assertThat(f.outcome().adminDiagnostic()).contains("bad tag");
        assertThat(f.retrySafe()).isFalse();
    }

    @Test
    void busyBeforeAcceptance_isAMiss_butAfterItAnInternalError() {
        flight.written();
        flight.refused(ErrorCode.BUSY, "full");
        assertThat(onlyEnd()).isEqualTo(new Missed(Miss.BUSY));

        var other = new InFlight(flight.info(), flight.sealed(), ends::add);
        other.accepted();
        other.refused(ErrorCode.BUSY, "full");
        assertThat(((Finished) ends.get(1)).outcome().code()).isEqualTo(ResultCode.INTERNAL_ERROR);
        assertThat(((Finished) ends.get(1)).retrySafe()).isTrue();
    }

    @Test
    void refusals_mapToResultCodes_retrySafeBeforeCommit() {
        assertRefusal(ErrorCode.EXPIRED, ResultCode.EXPIRED);
        assertRefusal(ErrorCode.BAD_TAG, ResultCode.REJECTED_MESSAGE);
        assertRefusal(ErrorCode.UNKNOWN_KEY_VERSION, ResultCode.REJECTED_MESSAGE);
        assertRefusal(ErrorCode.REPLAYED, ResultCode.REJECTED_MESSAGE);
        assertRefusal(ErrorCode.MALFORMED_FRAME, ResultCode.REJECTED_MESSAGE);
        assertRefusal(ErrorCode.INTERNAL, ResultCode.INTERNAL_ERROR);
    }

    private void assertRefusal(ErrorCode error, ResultCode expected) {
        var list = new ArrayList<InFlight.End>();
        var f = new InFlight(flight.info(), flight.sealed(), list::add);
        f.written();
        f.refused(error, "why");
        assertThat(list).singleElement().isInstanceOfSatisfying(Finished.class, end -> {
            assertThat(end.outcome().code()).as(error.name()).isEqualTo(expected);
            assertThat(end.outcome().adminDiagnostic()).contains(error.name()).contains("why");
            assertThat(end.retrySafe()).isTrue();
        });
    }

    @Test
    void auditFailure_withholdsCommit_andIsRetrySafe() {
        flight.written();
        flight.accepted();
        flight.auditFailed(new IllegalStateException("disk full"));
        Finished f = finished();
        assertThat(f.outcome().code()).isEqualTo(ResultCode.INTERNAL_ERROR);
        assertThat(f.retrySafe()).isTrue();
        assertThat(flight.commitAllowed()).isFalse();
    }

    @Test
    void writeFailure_isAMiss_andNotTaken_says_why() {
        flight.writeFailed();
        assertThat(onlyEnd()).isEqualTo(new Missed(Miss.GONE));

        var list = new ArrayList<InFlight.End>();
        new InFlight(flight.info(), flight.sealed(), list::add).notTaken(Miss.BUSY);
        assertThat(list).containsExactly(new Missed(Miss.BUSY));
    }

    @Test
    void expiredBeforeWrite_isTimeout_retrySafe() {
        flight.expiredBeforeWrite();
        assertThat(finished().outcome().code()).isEqualTo(ResultCode.TIMEOUT);
        assertThat(finished().retrySafe()).isTrue();
    }

    @Test
    void endsOnce_laterEventsChangeNothing() {
        toCommitted();
        flight.result(Outcome.of(ResultCode.SUCCESS, "ok"));
        flight.connectionLost();
        flight.deadlinePassed();
        flight.refused(ErrorCode.BUSY, "x");
        flight.result(Outcome.of(ResultCode.INTERNAL_ERROR, "late"));
        flight.writeFailed();
        flight.auditFailed(new IllegalStateException());
        assertThat(finished().outcome().code()).isEqualTo(ResultCode.SUCCESS);
        assertThat(flight.endedIn()).isEqualTo(State.COMMITTED);
        assertThat(flight.accepted()).isFalse();
    }

    @Test
    void routingVerdicts_areRetrySafeExceptSilence() {
        assertThat(InFlight.noAgent(false).outcome().code()).isEqualTo(ResultCode.AGENT_OFFLINE);
        assertThat(InFlight.noAgent(true).outcome().code()).isEqualTo(ResultCode.BUSY);
        assertThat(InFlight.relayBusy().outcome().code()).isEqualTo(ResultCode.BUSY);
        assertThat(InFlight.sealingFailed(new IllegalStateException("x")).outcome().code()).isEqualTo(ResultCode.INTERNAL_ERROR);
        assertThat(InFlight.routingFailed(new IllegalStateException()).outcome().code()).isEqualTo(ResultCode.AGENT_OFFLINE);
        assertThat(List.of(InFlight.noAgent(false), InFlight.noAgent(true), InFlight.relayBusy(),
                InFlight.sealingFailed(new IllegalStateException()), InFlight.routingFailed(new IllegalStateException())))
                .allMatch(Finished::retrySafe);
        assertThat(InFlight.routingSilent(5).outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
        assertThat(InFlight.routingSilent(5).retrySafe()).isFalse();
    }

    @Test
    void toString_namesNoBytes() {
        assertThat(flight.toString()).contains("agent-1").doesNotContain("[1, 2, 3]");
        assertThat(flight.sealed().toString()).contains("3 bytes");
    }

    private void advanceTo(State at) {
        switch (at) {
            case CREATED -> { }
            case WRITTEN -> flight.written();
            case ACCEPTED -> {
                flight.written();
                flight.accepted();
            }
            case COMMITTING -> {
                flight.written();
                flight.accepted();
                flight.commitSending();
            }
            case COMMITTED -> toCommitted();
            default -> throw new IllegalArgumentException(at.name());
        }
        assertThat(flight.state()).isEqualTo(at);
    }

    @Test
    void aForwardedRequestWithoutAnAnswer_isOutcomeUnknown_notRetrySafe() {
        flight.written();

        flight.lostElsewhere("node-b");

        var end = (InFlight.Finished) onlyEnd();
        assertThat(end.outcome().code()).isEqualTo(dev.writeback.protocol.ResultCode.OUTCOME_UNKNOWN);
        assertThat(end.retrySafe()).isFalse();
        assertThat(flight.mayHaveApplied()).as("the other node may have sent the COMMIT").isTrue();
    }

    @Test
    void aForwardedRequest_endsAsItEndedOnTheNodeThatDeliveredIt() {
        flight.written();
        var there = new InFlight.Finished(dev.writeback.protocol.Outcome.of(dev.writeback.protocol.ResultCode.TIMEOUT,
                "not accepted there"), true);

        flight.endedElsewhere(there, State.WRITTEN);

        assertThat(onlyEnd()).isEqualTo(there);
        assertThat(flight.endedIn()).isEqualTo(State.WRITTEN);
        assertThat(flight.mayHaveApplied()).isFalse();

        flight.lostElsewhere("late");   // anything after the end changes nothing
        assertThat(onlyEnd()).isEqualTo(there);
    }

    @Test
    void aForwardedRequestCommittedThere_mayHaveApplied_here() {
        var there = new InFlight.Finished(dev.writeback.protocol.Outcome.of(dev.writeback.protocol.ResultCode.SUCCESS,
                "set on dc1"), false);

        flight.endedElsewhere(there, State.COMMITTED);

        assertThat(flight.endedIn()).isEqualTo(State.COMMITTED);
        assertThat(flight.mayHaveApplied()).isTrue();
    }
}
