package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/writeback/lookup} with an {@code operations} token: {@code {"userId": "..."}} → the sealed
 * LOOKUP through the agent, answered with the account's profile. For a portal run on its own (RestWriteback);
 * the answer is for the portal's decisions and must never be shown to the person who typed the id. Audited as
 * {@code LOOKUP} with the anchor found (or nothing), never the contact data.
 */
final class LookupOperation {
    private static final Logger logger = LoggerFactory.getLogger(LookupOperation.class);
    /** Longest typed id accepted. */
    static final int MAX_USER_ID = 256;

    private final ApiContext context;
    private final ApiMetrics metrics;
    private final AuditTrail audit;

    LookupOperation(ApiContext context, ApiMetrics metrics, AuditTrail audit) {
        this.context = context;
        this.metrics = metrics;
        this.audit = audit;
    }

    void handle(Exchange exchange, Caller caller) {
        String[] userId = {null};
        try {
            JsonBody.read(exchange.body(), List.of("userId"), (field, p) -> userId[0] = JsonBody.string(p, field, MAX_USER_ID));
        } finally {
            exchange.wipeBody();
        }
        if (userId[0] == null || userId[0].isBlank()) {
            throw JsonBody.missing("userId", "the user id as typed (UPN, sAMAccountName or mail)");
        }
        if (!caller.tenant().enabled()) {
            finish(exchange, caller, "", Outcome.of(ResultCode.WRITEBACK_DISABLED,
                    "writeback is disabled in the tenant's settings"), true);
            return;
        }
        Instant now = context.clock().instant();
        PasswordRequest request;
        try {
            request = PasswordRequest.lookup(userId[0], now, now.plus(context.requestTimeout()));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("userId", "userId: " + e.getMessage().replace("anchor", "user id"));
        }
        context.gateway().submit(caller.tenantId(), exchange.requestId(), request)
                .whenComplete((done, failure) -> {
                    Delivery d = done != null ? done : new Delivery(exchange.requestId(), "", Outcome.of(
                            ResultCode.INTERNAL_ERROR, "relay: the gateway failed"), false);
                    Runnable answer = () -> {
                        try {
                            finish(exchange, caller, d.agentId(), d.outcome(), d.retrySafe());
                        } catch (RuntimeException e) {
                            exchange.fail(e);
                        }
                    };
                    try {
                        context.blocking().execute(answer);
                    } catch (RejectedExecutionException e) {
                        answer.run();
                    }
                });
    }

    private void finish(Exchange exchange, Caller caller, String agentId, Outcome outcome, boolean retrySafe) {
        String requestId = exchange.requestId().toString();
        long millis = Math.max(0, Duration.between(exchange.receivedAt(), context.clock().instant()).toMillis());
        String anchor = outcome.profile().map(p -> p.anchor().toString()).orElse("");
        metrics.operation("lookup", outcome.code(), Duration.ofMillis(millis));
        audit.record(new AuditRecord(0, context.clock().instant(), caller.tenantId(), requestId, caller.tokenId(), AuditEvent.LOOKUP.name(),
                anchor, outcome.code().name(), null, agentId.isEmpty() ? null : agentId, millis,
                outcome.adminDiagnostic().isEmpty() ? null : outcome.adminDiagnostic()));
        logger.info("API-200 lookup result={} requestId={} tenant={} agent={} millis={}", outcome.code(), requestId,
                caller.tenantId(), agentId.isEmpty() ? null : agentId, millis);
        ObjectNode json = Exchange.json().put("requestId", requestId).put("result", outcome.code().name())
                .put("retrySafe", retrySafe);
        outcome.profile().ifPresent(p -> json.set("account", account(p)));
        int status = outcome.code() == ResultCode.SUCCESS && outcome.profile().isEmpty() ? 500 : outcome.code().httpStatus();
        exchange.respond(HttpResponseStatus.valueOf(status), json);
    }

    private static ObjectNode account(AccountProfile p) {
        ObjectNode a = Exchange.json().put("anchor", p.anchor().toString()).put("displayName", p.displayName())
                .put("enabled", p.enabled()).put("locked", p.locked()).put("mustChange", p.mustChange())
                .put("protected", p.protectedAccount());
        list(a.putArray("mail"), p.mail());
        list(a.putArray("otherMailbox"), p.otherMailbox());
        list(a.putArray("mobile"), p.mobile());
        list(a.putArray("telephone"), p.telephone());
        if (p.policy().known()) {
            a.putObject("policy").put("minLength", p.policy().minLength()).put("complexity", p.policy().complexity())
                    .put("history", p.policy().history());
        } else {
            a.putNull("policy");
        }
        return a;
    }

    private static void list(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

}
