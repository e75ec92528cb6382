package dev.writeback.relay.cluster;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.routing.AgentEndpoint;
import dev.writeback.relay.routing.Endpoints;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.SealingKey;
import dev.writeback.relay.store.AgentKey;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of a node in a cluster: its own sessions first; when it holds none of the tenant's agents that
 * routing has not tried, an agent of the tenant from the store, reached through whichever node holds it
 * ({@link NatsCluster}). The request is sealed here, for that agent, with the key version in the store.
 */
public final class ClusterEndpoints implements Endpoints {
    private static final Logger logger = LoggerFactory.getLogger(ClusterEndpoints.class);
    /** How long past the request's deadline the origin waits for the holder's answer. */
    static final Duration SLACK = Duration.ofSeconds(2);
    /** Session ids of remote endpoints: routing tries each agent once through the cluster. */
    static final String REMOTE = "cluster:";

    private final AgentSessions local;
    private final Store store;
    private final NatsCluster cluster;
    private final Clock clock;

    public ClusterEndpoints(AgentSessions local, Store store, NatsCluster cluster, Clock clock) {
        this.local = requireNonNull(local, "local");
        this.store = requireNonNull(store, "store");
        this.cluster = requireNonNull(cluster, "cluster");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public Optional<? extends AgentEndpoint> pick(String tenantId, Set<String> excludedSessions) {
        var own = local.pick(tenantId, excludedSessions);
        if (own.isPresent()) {
            return own;
        }
        if (!cluster.connected()) {
            return Optional.empty();   // NATS is down: nothing can reach another node (and /readyz says so)
        }
        // Agents held here were offered above (or are busy, gone, or tried): the others may be held elsewhere.
        return store.agents(tenantId).stream()
                .filter(a -> !excludedSessions.contains(REMOTE + a.id()))
                .filter(a -> local.ofAgent(a.id()).isEmpty())
                .max(Comparator.comparing((AgentRecord a) -> a.lastSeen() == null ? java.time.Instant.EPOCH : a.lastSeen()))
                .map(a -> new Remote(tenantId, a.id()));
    }

    @Override
    public CompletableFuture<Void> nextReady(String tenantId) {
        return local.nextReady(tenantId);
    }

    /** An agent of the tenant held by another node (or by none: then NATS answers that nobody listens). */
    private final class Remote implements AgentEndpoint {
        private final String tenantId;
        private final String agentId;
        private volatile SealingKey key;

        Remote(String tenantId, String agentId) {
            this.tenantId = tenantId;
            this.agentId = agentId;
        }

        @Override
        public String agentId() {
            return agentId;
        }

        @Override
        public String sessionId() {
            return REMOTE + agentId;
        }

        @Override
        public SealingKey sealingKey() {
            AgentKey current = store.currentKey(agentId).orElseThrow(
                    () -> new IllegalStateException("agent " + agentId + " has no current key version in the store"));
            byte[] raw = current.packageKey();
            try {
                key = new SealingKey(tenantId, agentId, PackageKey.of(current.version(), raw),
                        KeyPairs.encryptionPublicKey(current.rsaPublicKey()));
                return key;
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }

        @Override
        public void deliver(InFlight flight) {
            var request = Forwarded.Request.of(cluster.nodeId(), flight.info(), flight.sealed());
            Duration timeout = Duration.between(clock.instant(), flight.info().expiresAt()).plus(SLACK);
            if (timeout.isNegative() || timeout.isZero()) {
                closeKey();
                flight.expiredBeforeWrite();
                return;
            }
            CompletableFuture<io.nats.client.Message> answer;
            if (!cluster.connected()) {   // lost since the pick: not sent, so another agent may take it
                closeKey();
                flight.notTaken(InFlight.Miss.GONE);
                return;
            }
            try {
                answer = cluster.forward(request, timeout);
            } catch (RuntimeException e) {
                logger.warn("RLY-019 request {} not forwarded to agent {}: {}", flight.info().requestId(), agentId, e.toString());
                closeKey();
                flight.notTaken(InFlight.Miss.GONE);
                return;
            }
            flight.written();
            answer.whenComplete((message, failure) -> {
                try {
                    ended(flight, message, failure);
                } finally {
                    closeKey();
                }
            });
        }

        private void closeKey() {
            SealingKey k = key;
            if (k != null) {
                k.key().close();
            }
        }

        private void ended(InFlight flight, io.nats.client.Message message, Throwable failure) {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (noResponders(cause)) {
                    flight.notTaken(InFlight.Miss.GONE);   // nobody listens: no node holds the agent, nothing sent
                } else {   // a timeout (jnats reports it as a cancellation) or a lost connection: maybe delivered
                    flight.lostElsewhere("holding " + agentId);
                }
                return;
            }
            answered(flight, message.getData());
        }

        /** NATS's 503 status, reported as such by a connection with {@code reportNoResponders()}. */
        private static boolean noResponders(Throwable cause) {
            return cause instanceof io.nats.client.JetStreamStatusException status && status.getMessage() != null
                    && status.getMessage().contains("503");
        }

        private void answered(InFlight flight, byte[] data) {
            Forwarded.Reply reply;
            try {
                reply = Forwarded.decode(data, Forwarded.Reply.class);
            } catch (java.io.IOException | RuntimeException e) {
                flight.lostElsewhere("holding " + agentId + " (its answer did not parse)");
                return;
            }
            if (reply.miss() != null) {
                flight.notTaken(InFlight.Miss.valueOf(reply.miss()));
                return;
            }
            InFlight.State endedThere = InFlight.State.valueOf(reply.endedIn());
            Outcome outcome;
            try {
                if (reply.result() == null) {
                    throw new ProtocolException(dev.writeback.protocol.ErrorCode.UNKNOWN_KEY_VERSION,
                            "the holding node no longer has key version " + flight.sealed().keyVersion());
                }
                var context = new EnvelopeContext(FrameType.RESULT, flight.info().requestId(), tenantId, agentId);
                outcome = Sealing.openResult(reply.result(), context, key.key());
            } catch (ProtocolException e) {
                flight.endedElsewhere(new InFlight.Finished(Outcome.of(dev.writeback.protocol.ResultCode.OUTCOME_UNKNOWN,
                        "the answer of relay node " + reply.node() + " did not open: " + e.getMessage()),
                        reply.retrySafe()), endedThere);
                return;
            }
            flight.endedElsewhere(new InFlight.Finished(outcome, reply.retrySafe()), endedThere);
        }
    }
}
