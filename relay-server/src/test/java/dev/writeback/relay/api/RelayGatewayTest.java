package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.FakeScheduler;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.routing.AgentEndpoint;
import dev.writeback.relay.routing.Endpoints;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.Router;
import dev.writeback.relay.routing.SealingKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The gateway seals for the chosen agent, and answers OUTCOME_UNKNOWN when routing stays silent past the slack. */
class RelayGatewayTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final FakeClock clock = new FakeClock();
    private final FakeScheduler scheduler = new FakeScheduler(clock);
    private final List<InFlight> delivered = new ArrayList<>();
    private final AgentEndpoint silent = new AgentEndpoint() {
        private final SealingKey key = new SealingKey("tenant-1", "agent-1", PackageKey.generate(1, RANDOM),
                KeyPairs.newEncryptionKeyPair(RANDOM).getPublic());

        @Override
        public String agentId() {
            return "agent-1";
        }

        @Override
        public String sessionId() {
            return "session-1";
        }

        @Override
        public SealingKey sealingKey() {
            return key;
        }

        @Override
        public void deliver(InFlight flight) {
            delivered.add(flight);   // and never reports anything: a relay fault
        }
    };
    private final Endpoints endpoints = new Endpoints() {
        @Override
        public Optional<AgentEndpoint> pick(String tenantId, Set<String> excludedSessions) {
            return excludedSessions.isEmpty() ? Optional.of(silent) : Optional.empty();
        }

        @Override
        public CompletableFuture<Void> nextReady(String tenantId) {
            return new CompletableFuture<>();
        }
    };
    private final RelayGateway gateway = new RelayGateway(new Router(endpoints, Runnable::run, scheduler, clock,
            Duration.ofSeconds(2)), new AgentSessions(), new KeyRotation(null), clock, RANDOM, Duration.ofMinutes(12), scheduler);

    @Test
    void sealsForTheChosenAgent_andWhenRoutingStaysSilent_answersOutcomeUnknownAfterTheSlack() {
        var request = PasswordRequest.reset(Anchor.parse("sam:ada"), Secret.of("Correct-Horse-9"), false, false,
                clock.instant(), clock.instant().plus(Duration.ofSeconds(15)));

        var delivery = gateway.submit("tenant-1", RequestId.random(), request);

        assertThat(delivered).singleElement().satisfies(f -> {
            assertThat(f.sealed().agentId()).isEqualTo("agent-1");
            assertThat(f.sealed().sealed()).hasSizeGreaterThan(256);   // an RSA-OAEP block and more, not the password
        });
        scheduler.advance(Duration.ofSeconds(15).plus(RelayGateway.SLACK).minusMillis(1));
        assertThat(delivery).isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(delivery).isCompletedWithValueMatching(d -> d.outcome().code() == ResultCode.OUTCOME_UNKNOWN
                && !d.retrySafe() && d.agentId().isEmpty());
    }
}
