package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.relay.agent.LiveAgent;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The writeback state of one tenant ({@code GET /api/v1/writeback/status}): registered agents from the store merged
 * with the live sessions the gateway holds.
 *
 * <p>The state is {@code NOT_CONFIGURED} without registered agents, {@code DOWN} when none is connected,
 * {@code DEGRADED} when a registered agent is offline (disconnected for longer than the offline grace), a session's
 * heartbeat is overdue or a directory is unreachable, and {@code UP} otherwise. An agent disconnected for less than
 * the grace is shown as {@code RECONNECTING} and does not degrade the state, so a relay restart does not flap it.
 */
final class StatusReport {
    /** The tenant's overall writeback state. */
    enum State { UP, DEGRADED, DOWN, NOT_CONFIGURED }

    /** One registered agent's connection state. */
    enum AgentState { CONNECTED, RECONNECTING, OFFLINE }

    private StatusReport() {}

    /** The status document of {@code tenant}. */
    static ObjectNode of(Tenant tenant, List<AgentRecord> agents, List<LiveAgent> live, Instant now,
            Duration reconnectGrace) {
        Map<String, List<LiveAgent>> sessions = live.stream().collect(Collectors.groupingBy(LiveAgent::agentId));
        ArrayNode list = Exchange.json().arrayNode();
        boolean anyConnected = false;
        boolean degraded = false;
        for (AgentRecord agent : agents) {
            List<LiveAgent> own = sessions.getOrDefault(agent.id(), List.of());
            AgentState state = stateOf(agent, own, now, reconnectGrace);
            anyConnected |= state == AgentState.CONNECTED;
            degraded |= state == AgentState.OFFLINE
                    || own.stream().anyMatch(s -> s.heartbeatOverdue() || !s.directoriesHealthy());
            list.add(agentJson(agent, own, state));
        }
        State state = agents.isEmpty() ? State.NOT_CONFIGURED
                : !anyConnected ? State.DOWN
                : degraded ? State.DEGRADED
                : State.UP;
        ObjectNode json = Exchange.json()
                .put("state", state.name())
                .put("enabled", tenant.enabled())
                .put("allowUnlockWithoutReset", tenant.allowUnlockWithoutReset());
        json.set("agents", list);
        return json;
    }

    static AgentState stateOf(AgentRecord agent, List<LiveAgent> sessions, Instant now, Duration reconnectGrace) {
        if (!sessions.isEmpty()) {
            return AgentState.CONNECTED;
        }
        Instant lastSeen = agent.lastSeen();
        return lastSeen != null && !lastSeen.plus(reconnectGrace).isBefore(now) ? AgentState.RECONNECTING
                : AgentState.OFFLINE;
    }

    private static ObjectNode agentJson(AgentRecord agent, List<LiveAgent> sessions, AgentState state) {
        // The session heard from last speaks for the agent; the others only add to the counts.
        LiveAgent latest = sessions.stream()
                .max(Comparator.comparing(LiveAgent::lastHeartbeat, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(LiveAgent::connectedAt))
                .orElse(null);
        ObjectNode json = Exchange.json()
                .put("agentId", agent.id())
                .put("name", agent.name())
                .put("state", state.name())
                .put("connected", state == AgentState.CONNECTED)
                .put("sessions", sessions.size())
                .put("lastSeen", text(agent.lastSeen()))
                .put("lastHeartbeat", latest == null ? null : text(latest.lastHeartbeat()))
                .put("heartbeatOverdue", sessions.stream().anyMatch(LiveAgent::heartbeatOverdue))
                .put("version", latest == null ? agent.lastVersion() : latest.version())
                .put("keyVersion", latest == null ? null : latest.keyVersion())
                .put("inFlight", sessions.stream().mapToInt(LiveAgent::inFlight).sum());
        ArrayNode nodes = json.putArray("nodes");   // the relay nodes holding its sessions (a relay on its own: none)
        sessions.stream().map(LiveAgent::node).filter(n -> !n.isEmpty()).distinct().sorted().forEach(nodes::add);
        ArrayNode directories = json.putArray("directories");
        if (latest != null) {
            latest.directories().forEach(d -> directories.add(directoryJson(d)));
        }
        return json;
    }

    private static ObjectNode directoryJson(DirectoryStatus d) {
        return Exchange.json()
                .put("name", d.name())
                .put("type", d.type())
                .put("reachable", d.reachable())
                .put("server", d.server())
                .put("latencyMillis", d.latencyMillis())
                .put("historyEnforcedOnReset", d.historyEnforcedOnReset())
                .put("problem", d.problem())
                .put("passwordPolicy", d.passwordPolicy());
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
