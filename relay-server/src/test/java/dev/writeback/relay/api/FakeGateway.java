package dev.writeback.relay.api;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.agent.LiveAgent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** An {@link AgentGateway} that records what it is asked and answers what the test says. */
final class FakeGateway implements AgentGateway {
    /** One call of {@link #submit}. */
    record Submitted(String tenantId, RequestId requestId, PasswordRequest request) {}

    final List<Submitted> submitted = new ArrayList<>();
    final List<LiveAgent> live = new ArrayList<>();
    final Set<String> connected = new HashSet<>();
    final List<String> rotated = new ArrayList<>();
    final List<String> disconnected = new ArrayList<>();
    Function<Submitted, CompletableFuture<Delivery>> answer =
            s -> CompletableFuture.completedFuture(delivery(s, "agent-1", Outcome.of(ResultCode.SUCCESS,
                    "Your password has been changed.", "set on dc1.corp.example")));

    static Delivery delivery(Submitted s, String agentId, Outcome outcome) {
        return new Delivery(s.requestId(), agentId, outcome, outcome.code().retrySafe());
    }

    Submitted last() {
        return submitted.get(submitted.size() - 1);
    }

    @Override
    public CompletableFuture<Delivery> submit(String tenantId, RequestId requestId, PasswordRequest request) {
        var s = new Submitted(tenantId, requestId, request);
        submitted.add(s);
        return answer.apply(s);
    }

    @Override
    public List<LiveAgent> live(String tenantId) {
        return List.copyOf(live);
    }

    @Override
    public boolean rotateKeys(String agentId) {
        if (!connected.contains(agentId)) {
            return false;
        }
        rotated.add(agentId);
        return true;
    }

    @Override
    public void disconnect(String agentId, String reason) {
        disconnected.add(agentId);
    }
}
