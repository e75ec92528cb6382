package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.relay.hashsync.CheckResult;
import dev.writeback.relay.hashsync.HashSyncReceiver;
import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.AuditEvent;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password hash sync over REST (docs/hash-sync.md): the tenant's state and its on/off switch, a full sync
 * trigger and a user's status (admin scope), and the password check (its own {@code password-check} scope).
 * Blocking: runs on the blocking executor. Passwords are read into a {@link Secret} and wiped after the check; they
 * are never logged or audited, and a check is audited by its result only.
 */
final class HashSyncAdmin {
    /** Failed checks (INVALID, UNKNOWN_USER) a source address may make per minute before it gets 429. */
    static final int SOURCE_FAILURE_BURST = 30;
    private static final Logger logger = LoggerFactory.getLogger(HashSyncAdmin.class);

    private final ApiContext context;
    private final AuditTrail audit;
    private final FailureLimiter sources;

    HashSyncAdmin(ApiContext context, AuditTrail audit) {
        this.context = context;
        this.audit = audit;
        this.sources = new FailureLimiter(context.clock(), SOURCE_FAILURE_BURST, Duration.ofMinutes(1));
    }

    /** {@code GET /api/v1/hash-sync/status}. */
    void status(Exchange exchange, Caller caller) {
        exchange.respond(HttpResponseStatus.OK, json(receiver().status(caller.tenantId())));
    }

    /** {@code PUT /api/v1/hash-sync/settings} with {@code {"enabled": true|false}}; off deletes the stored hashes. */
    void settings(Exchange exchange, Caller caller) {
        Boolean[] enabled = {null};
        JsonBody.read(exchange.body(), List.of("enabled"), (field, p) -> enabled[0] = JsonBody.bool(p, field));
        if (enabled[0] == null) {
            throw ApiException.invalid("enabled", "enabled: missing (expected: true or false)");
        }
        receiver().setEnabled(caller.tenantId(), enabled[0]);
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.HASH_SYNC_SETTINGS, null, "enabled=" + enabled[0]);
        logger.info("API-208 hash sync settings changed tenant={} enabled={}", caller.tenantId(), enabled[0]);
        exchange.respond(HttpResponseStatus.OK, json(receiver().status(caller.tenantId())));
    }

    /** {@code POST /api/v1/hash-sync/full-sync}: the agents start a full sync at their next cycle. */
    void fullSync(Exchange exchange, Caller caller) {
        if (!receiver().requestFullSync(caller.tenantId())) {
            throw ApiException.conflict(ApiError.HASH_SYNC_OFF, "hash sync: off for this tenant (expected: PUT"
                    + " /api/v1/hash-sync/settings {\"enabled\": true} first)");
        }
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.HASH_SYNC_FULL_SYNC, null, null);
        exchange.respond(HttpResponseStatus.ACCEPTED, json(receiver().status(caller.tenantId())));
    }

    /** {@code GET /api/v1/hash-sync/users/{user}}: by anchor ({@code guid:…}, percent-encoded) or UPN. */
    void user(Exchange exchange, Caller caller, String encoded) {
        String user = decode(encoded);
        var status = receiver().user(caller.tenantId(), user).orElseThrow(() -> ApiException.notFound(ApiError.USER_NOT_SYNCED,
                "user: no hash sync status for " + user + " (expected: an anchor or UPN the agents synced in the last 7 days)"));
        ObjectNode json = Exchange.json().put("anchor", status.anchor()).put("upn", status.upn())
                .put("status", status.status().name()).put("updatedAt", text(status.updatedAt()))
                .put("agentId", status.agentId());
        var history = json.putArray("history");
        for (HashSyncReceiver.StatusRecord r : status.history()) {
            history.addObject().put("at", text(r.at())).put("status", r.status().name());
        }
        exchange.respond(HttpResponseStatus.OK, json);
    }

    /**
     * {@code POST /api/v1/authentication/password-check} with {@code {"anchor"|"upn": …, "password": …}}: whether
     * the password is the user's on-premises password as last synced. Constant work for unknown users; per-user
     * lockout in the receiver; per-source failure limit here.
     */
    void check(Exchange exchange, Caller caller) {
        Duration wait = sources.retryAfter(exchange.source());
        if (!wait.isZero()) {
            throw ApiException.tooManyRequests(Math.max(1, (wait.toMillis() + 999) / 1000));
        }
        String[] user = {null, null};
        Secret[] password = {null};
        try {
            JsonBody.read(exchange.body(), List.of("anchor", "upn", "password"), (field, p) -> {
                switch (field) {
                    case "anchor" -> user[0] = JsonBody.string(p, field, 1024);
                    case "upn" -> user[1] = JsonBody.string(p, field, 1024);
                    case "password" -> {
                        if (password[0] != null) {
                            password[0].close();
                        }
                        password[0] = JsonBody.secret(p, field, 1024);
                    }
                    default -> throw new IllegalStateException("field: " + field);
                }
            });
            if ((user[0] == null) == (user[1] == null)) {
                throw ApiException.invalid("anchor", "anchor or upn: " + (user[0] == null ? "neither" : "both")
                        + " given (expected: exactly one)");
            }
            if (password[0] == null) {
                throw ApiException.invalid("password", "password: missing (expected: the password to check)");
            }
            char[] chars = password[0].reveal();
            CheckResult result;
            try {
                result = receiver().check(caller.tenantId(), user[0] != null ? user[0] : user[1], chars);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
            if (result == CheckResult.INVALID || result == CheckResult.UNKNOWN_USER) {
                if (sources.recordFailure(exchange.source())) {
                    logger.warn("API-430 failed password checks used up source={}: its further checks are answered 429",
                            exchange.source());
                }
            }
            audit.record(caller.tenantId(), null, caller.tokenId(), AuditEvent.PASSWORD_CHECK, result.name(), null,
                    user[0] != null ? "anchor=" + user[0] : "upn=" + user[1]);
            exchange.respond(HttpResponseStatus.OK, Exchange.json().put("result", result.name())
                    .put("valid", result == CheckResult.VALID));
        } finally {
            if (password[0] != null) {
                password[0].close();
            }
        }
    }

    private HashSyncReceiver receiver() {
        HashSyncReceiver r = context.hashSync();
        if (r == null) {
            throw ApiException.unavailable(ApiError.HASH_SYNC_UNAVAILABLE, "hash sync: not available on this relay");
        }
        return r;
    }

    private static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("user", "user: malformed percent-encoding (expected: an anchor or UPN, percent-encoded)");
        }
    }

    static ObjectNode json(HashSyncReceiver.TenantStatus s) {
        ObjectNode json = Exchange.json().put("enabled", s.enabled()).put("lastCycle", text(s.lastCycle()))
                .put("lastHeartbeat", text(s.lastHeartbeat())).put("heartbeatOverdue", s.heartbeatOverdue())
                .put("fullSyncRequested", s.fullSyncRequested());
        ObjectNode counts = json.putObject("users");
        for (HashSyncStatus status : HashSyncStatus.values()) {
            counts.put(status.name(), s.counts().getOrDefault(status, 0));
        }
        return json;
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
