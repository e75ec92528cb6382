package dev.writeback.relay.agent;

import dev.writeback.protocol.Message;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live agent sessions, by tenant. Several agents (and several sessions of one agent) may serve a tenant
 * at once; requests go to the one with the fewest in flight.
 */
public final class AgentSessions implements dev.writeback.relay.routing.Endpoints {
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<AgentSession>> byTenant = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final List<java.util.function.BiConsumer<String, Boolean>> presence = new CopyOnWriteArrayList<>();

    /** Disconnect reasons counted by {@link #disconnects(String)}. */
    public static final java.util.List<String> DISCONNECT_REASONS = java.util.List.of("relay_closed", "connection_lost");
    private final java.util.concurrent.atomic.LongAdder connects = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder relayClosed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder connectionLost = new java.util.concurrent.atomic.LongAdder();

    private final java.util.Map<dev.writeback.protocol.ErrorCode, java.util.concurrent.atomic.LongAdder> refusedLogins =
            new java.util.EnumMap<>(dev.writeback.protocol.ErrorCode.class);

    {
        for (var code : dev.writeback.protocol.ErrorCode.values()) {
            refusedLogins.put(code, new java.util.concurrent.atomic.LongAdder());
        }
    }

    /**
     * Agent connections refused before they authenticated, by the error code they were sent (a wrong signature or
     * clock is AUTHENTICATION_FAILED, an unknown id UNKNOWN_AGENT, a source over its failure budget RATE_LIMITED,
     * no AUTH in time AUTHENTICATION_FAILED too).
     */
    public long refusedLogins(dev.writeback.protocol.ErrorCode code) {
        return refusedLogins.get(code).sum();
    }

    void loginRefused(dev.writeback.protocol.ErrorCode code) {
        refusedLogins.get(code).increment();
    }

    /** Agent sessions that became ready since the relay started. */
    public long connects() {
        return connects.sum();
    }

    /**
     * Sessions that ended since the relay started, by reason: {@code relay_closed} (GOAWAY, shutdown, or the relay
     * closed it) or {@code connection_lost} (the agent or the network ended it).
     */
    public long disconnects(String reason) {
        return ("relay_closed".equals(reason) ? relayClosed : connectionLost).sum();
    }

    /**
     * Tells {@code listener} when this node starts holding a session of an agent (true: its first one) and when it
     * holds none any more (false), so another node's requests for that agent can be offered here.
     */
    public void onPresence(java.util.function.BiConsumer<String, Boolean> listener) {
        presence.add(listener);
    }

    private void announce(String agentId, boolean present) {
        for (var listener : presence) {
            try {
                listener.accept(agentId, present);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(AgentSessions.class).warn("RLY-253 presence listener failed agent={}: {}",
                        agentId, e.toString());
            }
        }
    }

    void add(AgentSession session) {
        connects.increment();
        boolean first = ofAgent(session.agentId()).isEmpty();
        byTenant.computeIfAbsent(session.tenantId(), t -> new CopyOnWriteArrayList<>()).add(session);
        if (first) {
            announce(session.agentId(), true);
        }
        var waiting = waiters.remove(session.tenantId());
        if (waiting != null) {
            waiting.forEach(f -> f.complete(null));
        }
    }

    void remove(AgentSession session) {
        var list = byTenant.get(session.tenantId());
        if (list != null && list.remove(session)) {
            (session.draining() ? relayClosed : connectionLost).increment();
            if (ofAgent(session.agentId()).isEmpty()) {
                announce(session.agentId(), false);
            }
        }
    }

    /** The sessions of a tenant. */
    public List<AgentSession> of(String tenantId) {
        var list = byTenant.get(tenantId);
        return list == null ? List.of() : List.copyOf(list);
    }

    /** Every live session. */
    public List<AgentSession> all() {
        return byTenant.values().stream().flatMap(List::stream).toList();
    }

    /** The sessions of one agent. */
    public List<AgentSession> ofAgent(String agentId) {
        return all().stream().filter(s -> s.agentId().equals(agentId)).toList();
    }

    /**
     * The session that should take the next request of a tenant: open, not draining, not full, not excluded;
     * sessions with healthy directories first, then the fewest in flight, then the one chosen longest ago (so an
     * idle tenant's requests rotate over its agents and a broken standby is noticed before it is needed).
     */
    @Override
    public Optional<AgentSession> pick(String tenantId, Set<String> excludedSessions) {
        return of(tenantId).stream()
                .filter(AgentSession::acceptsWork)
                .filter(s -> !excludedSessions.contains(s.sessionId()))
                .min(Comparator.comparing((AgentSession s) -> !s.directoriesHealthy()).thenComparingInt(AgentSession::inFlight)
                        .thenComparingLong(AgentSession::lastPicked));
    }

    /** Completes when a new session of the tenant becomes ready (callers add their own timeout). */
    @Override
    public CompletableFuture<Void> nextReady(String tenantId) {
        var f = new CompletableFuture<Void>();
        waiters.computeIfAbsent(tenantId, t -> new CopyOnWriteArrayList<>()).add(f);
        f.whenComplete((v, e) -> {
            var list = waiters.get(tenantId);
            if (list != null) {
                list.remove(f);
            }
        });
        return f;
    }

    /** Sends GOAWAY to every session and stops giving them new requests. */
    public void goawayAll(String reason) {
        for (AgentSession s : all()) {
            s.drain();
            s.channel().writeAndFlush(new Message.Goaway(reason, 0));
        }
    }

    /** Total requests in flight across sessions. */
    public int inFlight() {
        return all().stream().mapToInt(AgentSession::inFlight).sum();
    }
}
