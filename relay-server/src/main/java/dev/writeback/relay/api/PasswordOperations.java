package dev.writeback.relay.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The three password operations (DESIGN §2): parse, check the tenant's settings, hand the request to the
 * {@link AgentGateway}, then answer, count, audit and log once the outcome is known, and wipe the passwords.
 *
 * <p>The answer carries the agent's user message, never its admin diagnostic: that goes into the audit record's
 * {@code detail}, which administrators read with {@code GET /api/v1/audit}.
 */
final class PasswordOperations {
    private static final Logger logger = LoggerFactory.getLogger(PasswordOperations.class);
    /** How long past the request's deadline the API waits for the gateway before answering TIMEOUT itself. */

    private final ApiContext context;
    private final ApiMetrics metrics;
    private final AuditTrail audit;

    PasswordOperations(ApiContext context, ApiMetrics metrics, AuditTrail audit) {
        this.context = context;
        this.metrics = metrics;
        this.audit = audit;
    }

    /** Handles one operation request; blocking, runs on the blocking executor. */
    void handle(Exchange exchange, Caller caller, Route route) {
        Operation operation = operationOf(route);
        OperationBody body;
        try {
            body = OperationBody.parse(operation, exchange.body(), context.maxRequestTimeout());
        } catch (ApiException e) {
            logger.info("API-400 {} rejected field={}", name(route), e.field());
            throw e;
        } finally {
            exchange.wipeBody();
        }
        if (!caller.tenant().enabled()) {
            body.close();
            finish(exchange, caller, route, body.anchor(), "", Outcome.of(ResultCode.WRITEBACK_DISABLED,
                    "writeback is disabled in the tenant's settings"));
            return;
        }
        if (operation == Operation.UNLOCK && !caller.tenant().allowUnlockWithoutReset()) {
            finish(exchange, caller, route, body.anchor(), "", Outcome.of(ResultCode.UNLOCK_NOT_ALLOWED,
                    "allowUnlockWithoutReset is off in the tenant's settings"));
            return;
        }
        submit(exchange, caller, route, body);
    }

    private void submit(Exchange exchange, Caller caller, Route route, OperationBody body) {
        Instant now = context.clock().instant();
        Duration timeout = body.timeout().orElse(context.requestTimeout());
        PasswordRequest request;
        try {
            request = body.toRequest(now, now.plus(timeout));
        } catch (RuntimeException e) {
            body.close();
            throw e;
        }
        CompletableFuture<Delivery> delivery;
        String requestId = exchange.requestId().toString();
        // What the operation's audit record says; the relay writes it before the COMMIT and completes it in finish.
        context.store().draftAudit(new AuditRecord(0, now, caller.tenantId(), requestId, caller.tokenId(),
                AuditEvent.of(request.operation()).name(), body.anchor().toString(), "COMMITTING", null, null, 0, null));
        try {
            delivery = context.gateway().submit(caller.tenantId(), exchange.requestId(), request);
        } catch (RuntimeException e) {
            context.store().dropAuditDraft(requestId);
            request.destroy();
            throw e;
        }
        delivery
                .whenComplete((done, failure) -> {
                    request.destroy();
                    Delivery result = done != null ? done : internalError(exchange, failure);
                    runBlocking(() -> {
                        try {
                            finish(exchange, caller, route, body.anchor(), result.agentId(), result.outcome(),
                                    result.retrySafe());
                        } catch (RuntimeException e) {
                            exchange.fail(e);
                        }
                    });
                });
    }

    private Delivery internalError(Exchange exchange, Throwable failure) {
        logger.warn("API-500 gateway failed requestId={}", exchange.requestId(), failure);
        return new Delivery(exchange.requestId(), "", Outcome.of(ResultCode.INTERNAL_ERROR,
                "relay: the gateway failed (see the relay log)"), false);
    }

    private void runBlocking(Runnable task) {
        try {
            context.blocking().execute(task);
        } catch (RejectedExecutionException e) {
            task.run();   // shutting down: answer the caller anyway
        }
    }

    /** Counts, audits, logs and answers one outcome. */
    private void finish(Exchange exchange, Caller caller, Route route, Anchor anchor, String agentId, Outcome outcome) {
        finish(exchange, caller, route, anchor, agentId, outcome, outcome.code().retrySafe());
    }

    /** Counts, audits, logs and answers one outcome; {@code retrySafe} as the gateway decided it. */
    private void finish(Exchange exchange, Caller caller, Route route, Anchor anchor, String agentId, Outcome outcome,
                        boolean retrySafe) {
        String requestId = exchange.requestId().toString();
        MDC.put("requestId", requestId);
        MDC.put("tenantId", caller.tenantId());
        if (!agentId.isEmpty()) {
            MDC.put("agentId", agentId);
        }
        try {
            long millis = Math.max(0, Duration.between(exchange.receivedAt(), context.clock().instant()).toMillis());
            String reason = outcome.reason() == PolicyReason.NONE ? null : outcome.reason().name();
            String agent = agentId.isEmpty() ? null : agentId;
            metrics.operation(name(route), outcome.code(), Duration.ofMillis(millis));
            audit.record(new AuditRecord(0, context.clock().instant(), caller.tenantId(), requestId, caller.tokenId(),
                    AuditEvent.of(operationOf(route)).name(), anchor.toString(), outcome.code().name(), reason, agent, millis,
                    outcome.adminDiagnostic().isEmpty() ? null : outcome.adminDiagnostic()));
            logger.info("API-200 {} result={} reason={} requestId={} tenant={} agent={} millis={}", name(route),
                    outcome.code(), reason, requestId, caller.tenantId(), agent, millis);
            ObjectNode json = Exchange.json()
                    .put("requestId", requestId)
                    .put("result", outcome.code().name())
                    .put("reason", reason)
                    .put("message", outcome.userMessage())
                    .put("agentId", agent)
                    .put("durationMillis", millis)
                    .put("retrySafe", retrySafe);
            exchange.respond(HttpResponseStatus.valueOf(outcome.code().httpStatus()), json);
        } finally {
            MDC.remove("requestId");
            MDC.remove("tenantId");
            MDC.remove("agentId");
        }
    }

    private static Operation operationOf(Route route) {
        return switch (route) {
            case PASSWORD_RESET -> Operation.RESET;
            case PASSWORD_CHANGE -> Operation.CHANGE;
            case UNLOCK -> Operation.UNLOCK;
            default -> throw new IllegalArgumentException("route: " + route + " (expected: a password operation)");
        };
    }

    /** The operation's name in logs and metrics: the last path segment, e.g. {@code password-reset}. */
    private static String name(Route route) {
        return route.template().substring(route.template().lastIndexOf('/') + 1);
    }
}
