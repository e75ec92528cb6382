package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.TokenInfo;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's token routes: list its API and registration tokens (never a secret) and revoke one. A revoked
 * token is deleted from the store, which every request looks tokens up in, so the next request that presents it
 * gets 401 on every relay node. Blocking: runs on the blocking executor; every revocation is audited.
 */
final class TokenAdmin {
    private static final Logger logger = LoggerFactory.getLogger(TokenAdmin.class);

    private final ApiContext context;
    private final AuditTrail audit;

    TokenAdmin(ApiContext context, AuditTrail audit) {
        this.context = context;
        this.audit = audit;
    }

    /** {@code GET /api/v1/tokens}. */
    void list(Exchange exchange, Caller caller) {
        Instant now = context.clock().instant();
        ObjectNode json = Exchange.json();
        ArrayNode list = json.putArray("tokens");
        for (TokenInfo t : context.store().tokens(caller.tenantId())) {
            list.add(json(t, now).put("self", t.id().equals(caller.tokenId())));
        }
        exchange.respond(HttpResponseStatus.OK, json);
    }

    /** {@code DELETE /api/v1/tokens/{id}}: a token of another tenant is "not found", exactly like a missing one. */
    void revoke(Exchange exchange, Caller caller, String tokenId) {
        Optional<TokenInfo> revoked = context.store().revokeToken(caller.tenantId(), tokenId);
        if (revoked.isEmpty()) {
            throw ApiException.notFound(ApiError.TOKEN_NOT_FOUND, "token: " + tokenId + " (expected: a token id of this tenant,"
                    + " see GET /api/v1/tokens)");
        }
        TokenInfo t = revoked.get();
        audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.TOKEN_REVOKED, null,
                "tokenId=" + t.id() + " kind=" + t.kind().wire());
        logger.info("API-206 token revoked tenant={} tokenId={} kind={} by={}", caller.tenantId(), t.id(),
                t.kind().wire(), caller.tokenId());
        exchange.respond(HttpResponseStatus.OK, Exchange.json().put("revoked", true).put("tokenId", t.id())
                .put("kind", t.kind().wire()));
    }

    static ObjectNode json(TokenInfo t, Instant now) {
        return Exchange.json()
                .put("tokenId", t.id())
                .put("kind", t.kind().wire())
                .put("scope", t.scope() == null ? null : t.scope().wire())
                .put("label", t.label())
                .put("state", t.state(now))
                .put("createdAt", StatusReport.text(t.createdAt()))
                .put("lastUsedAt", StatusReport.text(t.lastUsedAt()))
                .put("expiresAt", StatusReport.text(t.expiresAt()));
    }
}
