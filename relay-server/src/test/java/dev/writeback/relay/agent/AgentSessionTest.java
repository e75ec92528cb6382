package dev.writeback.relay.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.crypto.Envelope;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.InFlight.State;
import dev.writeback.relay.routing.RequestInfo;
import dev.writeback.relay.routing.SealedRequest;
import dev.writeback.relay.store.AgentKey;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One agent session on an {@link EmbeddedChannel} with frozen time: the frames it writes for each step, and
 * what it reports to the request's {@link InFlight}.
 */
class AgentSessionTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] RSA = KeyPairs.newEncryptionKeyPair(RANDOM).getPublic().getEncoded();

    private final FakeClock clock = new FakeClock();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final byte[] packageKey = PackageKey.generate(1, RANDOM).bytes();
    private final List<String> audited = new ArrayList<>();
    private CompletableFuture<Void> audit = new CompletableFuture<>();
    private final AgentSession session;
    private final List<InFlight.End> ends = new ArrayList<>();

    AgentSessionTest() {
        channel.freezeTime();
        var keys = SessionKeys.of(List.of(new AgentKey("agent-1", 1, RSA, packageKey.clone(), clock.instant(), null)));
        session = new AgentSession(channel, "agent-1", "dc1", "tenant-1", "session-1", "1.0", keys, clock, 2,
                (tenant, requestId, agent, operation, anchor) -> {
                    audited.add(tenant + " " + requestId + " " + agent + " " + operation + " " + anchor);
                    return audit;
                });
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
    }

    private InFlight deliver(Duration timeout) {
        var info = new RequestInfo("tenant-1", RequestId.random(), Operation.RESET, "sam:ada", clock.instant().plus(timeout));
        var flight = new InFlight(info, new SealedRequest("agent-1", 1, new byte[] {9, 9, 9}), ends::add);
        session.deliver(flight);
        channel.runPendingTasks();
        return flight;
    }

    private <T> T written(Class<T> type) {
        Object frame = channel.readOutbound();
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    private Message.Result resultFrame(RequestId id, Outcome outcome) {
        var context = new EnvelopeContext(FrameType.RESULT, id, "tenant-1", "agent-1");
        return new Message.Result(id, Sealing.sealResult(outcome, PackageKey.of(1, packageKey.clone()), context, RANDOM));
    }

    /** The agent accepts {@code id}; the audit record is durable; the COMMIT goes out. */
    private void acceptAndCommit(RequestId id) {
        audit.complete(null);
        session.onAccepted(id);
        channel.runPendingTasks();
        assertThat(written(Message.Commit.class).requestId()).isEqualTo(id);
    }

    @Test
    void writesTheSealedBytes_thenCommitsOnlyAfterTheAuditRecordIsDurable() {
        InFlight flight = deliver(Duration.ofSeconds(15));
        var request = written(Message.Request.class);
        assertThat(request.sealed()).containsExactly(9, 9, 9);
        assertThat(flight.state()).isEqualTo(State.WRITTEN);
        assertThat(session.inFlight()).isEqualTo(1);

        session.onAccepted(request.requestId());
        channel.runPendingTasks();
        assertThat(audited).containsExactly("tenant-1 " + request.requestId() + " agent-1 RESET sam:ada");
        assertThat(channel.<Object>readOutbound()).as("no COMMIT before the audit record").isNull();

        audit.complete(null);
        channel.runPendingTasks();
        assertThat(written(Message.Commit.class).requestId()).isEqualTo(request.requestId());
        assertThat(flight.state()).isEqualTo(State.COMMITTED);

        session.onResult(resultFrame(request.requestId(), Outcome.of(ResultCode.SUCCESS, "set on dc1")));
        assertThat(ends).singleElement().isInstanceOfSatisfying(InFlight.Finished.class, f -> {
            assertThat(f.outcome().code()).isEqualTo(ResultCode.SUCCESS);
            assertThat(f.outcome().adminDiagnostic()).isEqualTo("set on dc1");
        });
        assertThat(session.inFlight()).isZero();
    }

    @Test
    void aRepeatedAccepted_writesOneCommit() {
        deliver(Duration.ofSeconds(15));
        var id = written(Message.Request.class).requestId();
        audit.complete(null);
        session.onAccepted(id);
        session.onAccepted(id);
        channel.runPendingTasks();
        written(Message.Commit.class);
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(audited).hasSize(1);
    }

    @Test
    void auditFailure_withholdsCommit() {
        InFlight flight = deliver(Duration.ofSeconds(15));
        var id = written(Message.Request.class).requestId();
        audit.completeExceptionally(new IllegalStateException("disk full"));
        session.onAccepted(id);
        channel.runPendingTasks();

        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(ends).singleElement().isInstanceOfSatisfying(InFlight.Finished.class, f -> {
            assertThat(f.outcome().code()).isEqualTo(ResultCode.INTERNAL_ERROR);
            assertThat(f.retrySafe()).isTrue();
        });
        assertThat(flight.endedIn()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void deadlineBeforeAcceptance_isTimeout_inFakeTime() {
        deliver(Duration.ofSeconds(15));
        written(Message.Request.class);

        channel.advanceTimeBy(14_999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(ends).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(ends).singleElement().isInstanceOfSatisfying(InFlight.Finished.class, f -> {
            assertThat(f.outcome().code()).isEqualTo(ResultCode.TIMEOUT);
            assertThat(f.retrySafe()).isTrue();
        });
        assertThat(session.inFlight()).isZero();
    }

    @Test
    void deadlineAfterCommit_isOutcomeUnknown_andALateResultIsIgnored() {
        deliver(Duration.ofSeconds(15));
        var id = written(Message.Request.class).requestId();
        acceptAndCommit(id);

        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        session.onResult(resultFrame(id, Outcome.of(ResultCode.SUCCESS, "late")));

        assertThat(ends).singleElement().isInstanceOfSatisfying(InFlight.Finished.class, f -> {
            assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
            assertThat(f.retrySafe()).isFalse();
        });
    }

    @Test
    void connectionLost_beforeCommitIsAMiss_afterCommitOutcomeUnknown() {
        deliver(Duration.ofSeconds(15));
        var before = written(Message.Request.class).requestId();
        deliver(Duration.ofSeconds(15));
        var after = written(Message.Request.class).requestId();
        acceptAndCommit(after);

        session.onClosed();
        channel.runPendingTasks();

        assertThat(ends).hasSize(2).contains(new InFlight.Missed(InFlight.Miss.GONE)).anySatisfy(e ->
                assertThat(e).isInstanceOfSatisfying(InFlight.Finished.class,
                        f -> assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN)));
        assertThat(before).isNotEqualTo(after);
    }

    @Test
    void full_draining_orExpired_requestsAreNotWritten() {
        deliver(Duration.ofSeconds(15));
        deliver(Duration.ofSeconds(15));
        deliver(Duration.ofSeconds(15));   // maxInFlight is 2
        assertThat(ends).containsExactly(new InFlight.Missed(InFlight.Miss.BUSY));

        ends.clear();
        var expired = deliver(Duration.ZERO);
        assertThat(expired.endedIn()).isEqualTo(State.CREATED);

        session.drain();
        ends.clear();
        deliver(Duration.ofSeconds(15));
        assertThat(ends).containsExactly(new InFlight.Missed(InFlight.Miss.GONE));
    }

    @Test
    void busyFromTheAgent_beforeAcceptance_handsTheRequestBack() {
        deliver(Duration.ofSeconds(15));
        var id = written(Message.Request.class).requestId();
        session.onRequestError(new Message.ErrorMessage(id, ErrorCode.BUSY, "full"));
        assertThat(ends).containsExactly(new InFlight.Missed(InFlight.Miss.BUSY));
        assertThat(session.inFlight()).isZero();
    }

    @Test
    void aResultThatDoesNotOpen_isOutcomeUnknownAfterCommit() {
        deliver(Duration.ofSeconds(15));
        var id = written(Message.Request.class).requestId();
        acceptAndCommit(id);
        session.onResult(new Message.Result(id, new byte[Envelope.OVERHEAD + 4]));
        assertThat(ends).singleElement().isInstanceOfSatisfying(InFlight.Finished.class, f -> {
            assertThat(f.outcome().code()).isEqualTo(ResultCode.OUTCOME_UNKNOWN);
            assertThat(f.retrySafe()).isFalse();
        });
    }

    @Test
    void sealingKey_isTheCurrentVersion() {
        var key = session.sealingKey();
        assertThat(key.version()).isEqualTo(1);
        assertThat(key.agentId()).isEqualTo("agent-1");
        assertThat(key.key().bytes()).isEqualTo(packageKey);
        assertThat(key.requestContext(RequestId.random()).tenantId()).isEqualTo("tenant-1");
    }
}
