package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.relay.agent.LiveAgent;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.IssuedToken;
import dev.writeback.relay.store.Tenant;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's administrative routes: status, settings, registration tokens, agents and the audit log. Every
 * method is blocking and runs on the blocking executor; every change is audited.
 */
final class TenantAdmin {
    /** Most audit records one request returns. */
    static final int MAX_AUDIT_LIMIT = 1000;
    /** How far back the audit log is read when the caller names no {@code since}. */
    static final Duration DEFAULT_AUDIT_WINDOW = Duration.ofHours(24);

    private static final Logger logger = LoggerFactory.getLogger(TenantAdmin.class);

    private final ApiContext context;
    private final AuditTrail audit;

    TenantAdmin(ApiContext context, AuditTrail audit) {
        this.context = context;
        this.audit = audit;
    }

    void status(Exchange exchange, Caller caller) {
        List<AgentRecord> agents = context.store().agents(caller.tenantId());
        List<LiveAgent> live = context.gateway().live(caller.tenantId());
        exchange.respond(HttpResponseStatus.OK, StatusReport.of(caller.tenant(), agents, live,
                context.clock().instant(), context.reconnectGrace()));
    }

    /** Replaces the settings; turning writeback back on rolls every connected agent's keys (DESIGN §4). */
    void settings(Exchange exchange, Caller caller) {
        boolean[] values = new boolean[2];
        boolean[] given = new boolean[2];
        JsonBody.read(exchange.body(), List.of("enabled", "allowUnlockWithoutReset"), (field, p) -> {
            int i = field.equals("enabled") ? 0 : 1;
            values[i] = JsonBody.bool(p, field);
            given[i] = true;
        });
        if (!given[0]) {
            throw JsonBody.missing("enabled", "true or false");
        }
        if (!given[1]) {
            throw JsonBody.missing("allowUnlockWithoutReset", "true or false");
        }
        Tenant before = caller.tenant();
        Tenant after = context.store().updateSettings(caller.tenantId(), values[0], values[1]);
        List<String> rotated = !before.enabled() && after.enabled() ? rotateLiveAgents(caller.tenantId()) : List.of();
        String detail = "enabled=" + after.enabled() + " allowUnlockWithoutReset=" + after.allowUnlockWithoutReset()
                + (rotated.isEmpty() ? "" : " keysRotating=" + rotated.size());
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.SETTINGS, null, detail);
        logger.info("API-201 settings changed tenant={} {}", caller.tenantId(), detail);
        ObjectNode json = Exchange.json()
                .put("enabled", after.enabled())
                .put("allowUnlockWithoutReset", after.allowUnlockWithoutReset());
        ArrayNode rotating = json.putArray("keysRotating");
        rotated.forEach(rotating::add);
        exchange.respond(HttpResponseStatus.OK, json);
    }

    private List<String> rotateLiveAgents(String tenantId) {
        return context.gateway().live(tenantId).stream()
                .map(LiveAgent::agentId)
                .distinct()
                .filter(id -> context.gateway().rotateKeys(id))
                .collect(Collectors.toList());
    }

    void registrationToken(Exchange exchange, Caller caller) {
        IssuedToken token = context.store().createRegistrationToken(caller.tenantId(), context.registrationTokenTtl());
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.REGISTRATION_TOKEN_CREATED, null,
                "tokenId=" + token.id() + " expiresAt=" + token.expiresAt());
        logger.info("API-202 registration token created tenant={} tokenId={} expiresAt={}", caller.tenantId(),
                token.id(), token.expiresAt());
        exchange.respond(HttpResponseStatus.OK, Exchange.json()
                .put("token", token.plaintext())
                .put("expiresAt", StatusReport.text(token.expiresAt())));
    }

    void agents(Exchange exchange, Caller caller) {
        List<LiveAgent> live = context.gateway().live(caller.tenantId());
        Instant now = context.clock().instant();
        ObjectNode json = Exchange.json();
        ArrayNode list = json.putArray("agents");
        for (AgentRecord agent : context.store().agents(caller.tenantId())) {
            List<LiveAgent> sessions = live.stream().filter(s -> s.agentId().equals(agent.id())).toList();
            list.add(Exchange.json()
                    .put("agentId", agent.id())
                    .put("name", agent.name())
                    .put("registeredAt", StatusReport.text(agent.registeredAt()))
                    .put("lastSeen", StatusReport.text(agent.lastSeen()))
                    .put("version", agent.lastVersion())
                    .put("state", StatusReport.stateOf(agent, sessions, now, context.reconnectGrace()).name())
                    .put("connected", !sessions.isEmpty())
                    .put("sessions", sessions.size()));
        }
        exchange.respond(HttpResponseStatus.OK, json);
    }

    void deleteAgent(Exchange exchange, Caller caller, String agentId) {
        AgentRecord agent = ownAgent(caller, agentId);
        context.store().deleteAgent(agent.id());
        context.gateway().disconnect(agent.id(), "agent deleted");
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.AGENT_DELETED, agent.id(), "name=" + agent.name());
        logger.info("API-204 agent deleted tenant={} agent={}", caller.tenantId(), agent.id());
        exchange.respond(HttpResponseStatus.OK, Exchange.json().put("deleted", true).put("agentId", agent.id()));
    }

    void rotateKeys(Exchange exchange, Caller caller, String agentId) {
        AgentRecord agent = ownAgent(caller, agentId);
        boolean started = context.gateway().rotateKeys(agent.id());
        audit.record(caller.tenantId(), null, caller.tokenId(), AuditEvent.KEY_ROTATION_REQUESTED,
                started ? AuditEvent.OK : "AGENT_OFFLINE", agent.id(), null);
        logger.info("API-205 key rotation requested tenant={} agent={} started={}", caller.tenantId(), agent.id(),
                started);
        if (!started) {
            throw ApiException.conflict(ApiError.AGENT_NOT_CONNECTED,
                    "agent: not connected (expected: a connected agent; keys roll when it is back)");
        }
        exchange.respond(HttpResponseStatus.ACCEPTED, Exchange.json().put("started", true).put("agentId", agent.id()));
    }

    /** The caller's tenant's agent; another tenant's agent is "not found", exactly like a missing one. */
    private AgentRecord ownAgent(Caller caller, String agentId) {
        Optional<AgentRecord> agent = context.store().agent(agentId);
        if (agent.isEmpty() || !agent.get().tenantId().equals(caller.tenantId())) {
            throw ApiException.notFound(ApiError.AGENT_NOT_FOUND, "agent: " + agentId + " (expected: an agent of this tenant)");
        }
        return agent.get();
    }

    /** Audit records from {@code since} (ISO-8601, default 24 h ago) on, oldest first, at most {@code limit}. */
    void audit(Exchange exchange, Caller caller) {
        Instant since = since(exchange.queryParameter("since"));
        int limit = limit(exchange.queryParameter("limit"));
        List<AuditRecord> records = context.store().audit(caller.tenantId(), since, limit);
        ObjectNode json = Exchange.json();
        ArrayNode list = json.putArray("records");
        for (AuditRecord r : records) {
            list.add(Exchange.json()
                    .put("seq", r.seq())
                    .put("time", r.time().toString())
                    .put("requestId", r.requestId())
                    .put("actor", r.actor())
                    .put("operation", r.operation())
                    .put("anchor", r.anchor())
                    .put("result", r.result())
                    .put("reason", r.reason())
                    .put("agentId", r.agentId())
                    .put("durationMillis", r.durationMillis())
                    .put("detail", r.detail()));
        }
        // A full page may have more after it: the next page starts at the last time (clients skip seen seq numbers).
        json.put("nextSince", records.size() == limit ? records.get(records.size() - 1).time().toString() : null);
        exchange.respond(HttpResponseStatus.OK, json);
    }

    private Instant since(String text) {
        if (text == null) {
            return context.clock().instant().minus(DEFAULT_AUDIT_WINDOW);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("since", "since: not an instant (expected: ISO-8601 such as 2026-03-01T10:00:00Z)");
        }
    }

    private static int limit(String text) {
        if (text == null) {
            return MAX_AUDIT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_AUDIT_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid("limit", "limit: " + (text.length() <= 12 ? text : "(too long)")
                + " (expected: an integer from 1 to " + MAX_AUDIT_LIMIT + ")");
    }
}
