package dev.writeback.relay.api;

import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.AuditEvent;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /agent/v1/register} (DESIGN §4): an agent trades a one-time registration token and its two public
 * keys for its agent id and its first package key, wrapped with its RSA key so only the agent can read it.
 */
final class Registration {
    /** Path of the agents' WebSocket, returned to the agent. */
    static final String AGENT_PATH = "/agent/v1";
    /** Longest agent name (the store's limit). */
    static final int MAX_NAME_CHARS = 100;

    private static final Logger logger = LoggerFactory.getLogger(Registration.class);
    private static final List<String> FIELDS = List.of("token", "name", "identityPublicKey", "encryptionPublicKey");
    private static final int MAX_KEY_BASE64_CHARS = 6000;   // 4096 DER bytes, the store's limit

    private final ApiContext context;
    private final FailureLimiter limiter;
    private final ApiMetrics metrics;
    private final AuditTrail audit;

    Registration(ApiContext context, FailureLimiter limiter, ApiMetrics metrics, AuditTrail audit) {
        this.context = context;
        this.limiter = limiter;
        this.metrics = metrics;
        this.audit = audit;
    }

    /** The parsed body; the key arrays are DER. */
    private record Request(String token, String name, byte[] identityKey, byte[] encryptionKey) {}

    /** Registers an agent; blocking, runs on the blocking executor. */
    void handle(Exchange exchange) {
        Request request = parse(exchange.body());
        PublicKey rsaKey = checkKeys(request);
        Optional<String> tenantId = context.store().consumeRegistrationToken(request.token());
        if (tenantId.isEmpty()) {
            throw BearerTokens.failed(limiter, metrics, exchange.source(), "registration");
        }
        MDC.put("tenantId", tenantId.get());
        try {
            register(exchange, tenantId.get(), request, rsaKey);
        } finally {
            MDC.remove("tenantId");
        }
    }

    private void register(Exchange exchange, String tenantId, Request request, PublicKey rsaKey) {
        AgentRecord agent;
        byte[] wrapped;
        try (PackageKey key = PackageKey.generate(1, context.random())) {
            wrapped = RsaOaep.wrap(key, rsaKey, context.random());
            agent = context.store().registerAgent(tenantId, request.name(), request.identityKey(), request.encryptionKey(), key);
        }
        metrics.agentRegistered();
        audit.ok(tenantId, "registration", AuditEvent.AGENT_REGISTERED, agent.id(),
                "name=" + LogSafe.of(agent.name()) + " source=" + exchange.source());
        logger.info("API-203 agent registered tenant={} agent={} name={} source={}", tenantId, agent.id(),
                LogSafe.of(agent.name()), exchange.source());
        var json = Exchange.json()
                .put("tenantId", tenantId)
                .put("agentId", agent.id())
                .put("keyVersion", 1)
                .put("wrappedPackageKey", Base64.getEncoder().encodeToString(wrapped))
                .put("agentPath", AGENT_PATH);
        if (!context.relayFingerprint().isEmpty()) {
            json.put("relayFingerprint", context.relayFingerprint());
        }
        exchange.respond(HttpResponseStatus.OK, json);
    }

    private static Request parse(byte[] body) {
        String[] values = new String[FIELDS.size()];
        JsonBody.read(body, FIELDS, (field, p) -> values[FIELDS.indexOf(field)] = JsonBody.string(p, field,
                field.endsWith("PublicKey") ? MAX_KEY_BASE64_CHARS : 256));
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw JsonBody.missing(FIELDS.get(i), "a string");
            }
        }
        String name = values[1].strip();
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("name", "name: " + name.length() + " characters (expected: 1 to "
                    + MAX_NAME_CHARS + " printable characters)");
        }
        return new Request(values[0], name, base64(values[2], "identityPublicKey"),
                base64(values[3], "encryptionPublicKey"));
    }

    private static byte[] base64(String text, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + ": not base64 (expected: base64 of an X.509 DER public key)");
        }
    }

    /** Checks both keys before the token is spent, so a bad key does not burn it; returns the RSA key. */
    private static PublicKey checkKeys(Request request) {
        try {
            KeyPairs.identityPublicKey(request.identityKey());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("identityPublicKey",
                    e.getMessage().replaceFirst("^identity public key", "identityPublicKey"));
        }
        try {
            return KeyPairs.encryptionPublicKey(request.encryptionKey());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("encryptionPublicKey",
                    e.getMessage().replaceFirst("^encryption public key", "encryptionPublicKey"));
        }
    }
}
