package dev.writeback.relay.api;

import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.codec.DecoderFailures;
import dev.writeback.relay.net.ClientAddress;
import dev.writeback.relay.net.FailureLimiter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/*
 * Event ids logged by this package (copy into docs/events.md):
 *
 * | id      | level | when                                                                                     |
 * |---------|-------|------------------------------------------------------------------------------------------|
 * | API-200 | INFO  | a password operation was answered: operation, result, reason, requestId, tenant, agent,   |
 * |         |       | millis (also for WRITEBACK_DISABLED, UNLOCK_NOT_ALLOWED and every agent-side failure)     |
 * | API-201 | INFO  | a tenant's writeback settings were replaced (and which agents' keys started rolling)      |
 * | API-202 | INFO  | a registration token was created (its id and expiry, never the token)                    |
 * | API-203 | INFO  | an agent registered: tenant, agent id, name, source address                              |
 * | API-204 | INFO  | an agent was deleted and its sessions closed                                             |
 * | API-205 | INFO  | a key rotation was requested for an agent, and whether it started                        |
 * | API-206 | INFO  | a token was revoked: tenant, its id and kind, the revoking token's id (never a token)      |
 * | API-400 | INFO  | a password operation was refused as malformed: operation and field (never the value)     |
 * | API-431 | INFO  | a request the HTTP codec could not decode (too long request line or headers, bad syntax):  |
 * |         |       | answered 414, 431 or 400 naming uri, headers or request, then the connection closes       |
 * | API-413 | INFO  | a request body was longer than 64 KiB: JSON 413 naming the body, then close (the relay's |
 * |         |       | aggregator logs it, before this handler)                                                  |
 * | API-408 | INFO  | a request was not complete within 10 s of its first byte (slowloris): 408, then close     |
 * | API-401 | INFO  | a bearer or registration token was refused: kind and source address                      |
 * | API-403 | INFO  | a valid token was refused: its scope does not cover the route (route, scope, required     |
 * |         |       | scope, token id, source), or X-Tenant-Id names another tenant; answered 403               |
 * | API-429 | WARN  | a source address used up its failed API (or registration) token attempts: its further     |
 * |         |       | failures get 429 for a while; valid tokens from it are still served                       |
 * | API-436 | INFO  | a connection sent more pipelined requests than the HTTP codec holds unanswered (128):     |
 * |         |       | one line, no stack trace, and the connection closes                                      |
 * | API-500 | WARN  | an unexpected error answered with 500 INTERNAL_ERROR, with the exception (once)          |
 * | API-501 | WARN  | an audit record could not be written (the answer is unchanged)                           |
 * | API-503 | WARN  | the store was unavailable and the request was answered with 503                          |
 */

/**
 * The relay's REST API, agent registration, health, readiness and metrics endpoints (DESIGN §7) for every HTTP
 * request the pipeline does not upgrade to the agent WebSocket. Shared by all channels.
 *
 * <p>The event loop only snapshots the request, matches the route and answers what needs no store (health,
 * metrics, 404, 405, 413, 415); everything else runs on {@link ApiContext#blocking()}. {@code /healthz},
 * {@code /readyz} and {@code /metrics} need no token: operators keep them off the public network.
 */
@ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Largest request body accepted, the same limit as the pipeline's aggregator. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Longest request line the pipeline's HTTP codec accepts. */
    public static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** Most header bytes the pipeline's HTTP codec accepts. */
    public static final int MAX_HEADER_BYTES = 8192;
    /** Failed token attempts a source address may make before its failures get {@code 429} (API and registration each). */
    static final int FAILURE_BURST = 10;
    /** Time over which the failed-attempt allowance refills completely. */
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

    private static final Logger logger = LoggerFactory.getLogger(ApiHandler.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Set<Route> JSON_BODY =
            EnumSet.of(Route.PASSWORD_RESET, Route.PASSWORD_CHANGE, Route.UNLOCK, Route.LOOKUP, Route.SETTINGS, Route.REGISTER,
                    Route.PORTAL_SETTINGS_UPDATE, Route.HASH_SYNC_SETTINGS, Route.PASSWORD_CHECK);

    private final ApiContext context;
    private final boolean servesMetrics;
    private final ApiMetrics metrics;
    private final BearerTokens tokens;
    private final PasswordOperations operations;
    private final LookupOperation lookup;
    private final TenantAdmin admin;
    private final Registration registration;
    private final TokenAdmin tokenAdmin;
    private final PortalAdmin portalAdmin;
    private final HashSyncAdmin hashSync;

    /** Creates the handler; add the one instance to every channel's pipeline after the HTTP aggregator. */
    public ApiHandler(ApiContext context) {
        this(context, true);
    }

    /**
     * A handler that serves {@code /metrics} only when {@code servesMetrics}; otherwise that path answers 404 like
     * any unknown one ({@code metrics.publicPort: false}: the metrics are on the separate listener only).
     */
    public ApiHandler(ApiContext context, boolean servesMetrics) {
        super(FullHttpRequest.class, true);
        this.servesMetrics = servesMetrics;
        this.context = context;
        this.metrics = new ApiMetrics(context.metrics());
        // separate failure budgets: failed registrations (a token raced by several agents, say) cost API callers
        // from the same address nothing, and the reverse
        var apiFailures = new FailureLimiter(context.clock(), FAILURE_BURST, FAILURE_WINDOW);
        var registrationFailures = new FailureLimiter(context.clock(), FAILURE_BURST, FAILURE_WINDOW);
        var audit = new AuditTrail(context.store(), context.clock());
        this.tokens = new BearerTokens(context.store(), apiFailures, metrics, context.clock());
        this.operations = new PasswordOperations(context, metrics, audit);
        this.lookup = new LookupOperation(context, metrics, audit);
        this.admin = new TenantAdmin(context, audit);
        this.registration = new Registration(context, registrationFailures, metrics, audit);
        this.tokenAdmin = new TokenAdmin(context, audit);
        this.portalAdmin = new PortalAdmin(context, audit);
        this.hashSync = new HashSyncAdmin(context, audit);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Exchange exchange = Exchange.of(ctx, request, context.clock().instant());
        exchange.onResponse(status -> metrics.response("unmatched", status.code()));
        try {
            if (!request.decoderResult().isSuccess()) {
                throw undecodable(request.decoderResult().cause());
            }
            Route.Match match = Route.match(exchange.method(), exchange.path());
            exchange.onResponse(status -> metrics.response(match.route().template(), status.code()));
            checkBody(match.route(), exchange);
            switch (match.route()) {
                case HEALTH -> exchange.respond(HttpResponseStatus.OK, Exchange.json().put("status", "UP"));
                case METRICS -> {
                    if (!servesMetrics) {
                        throw ApiException.notFound(ApiError.NOT_FOUND, "path: not found (expected: a path under /api/v1/,"
                                + " /agent/v1/register, /healthz or /readyz; /metrics is on the metrics listener)");
                    }
                    exchange.respondText(HttpResponseStatus.OK, context.metrics().scrape(), PROMETHEUS_TEXT);
                }
                default -> dispatch(exchange, match);
            }
        } catch (RuntimeException e) {
            exchange.wipeBody();
            exchange.fail(e);
        }
    }

    private void dispatch(Exchange exchange, Route.Match match) {
        try {
            context.blocking().execute(() -> handle(exchange, match));
        } catch (RejectedExecutionException e) {
            throw ApiException.unavailable(ApiError.OVERLOADED, "relay: too busy (expected: retry later)");
        }
    }

    /** Runs one request on the blocking executor. */
    private void handle(Exchange exchange, Route.Match match) {
        MDC.put("requestId", exchange.requestId().toString());
        try {
            Route route = match.route();
            if (route == Route.READY) {
                ready(exchange);
            } else if (route == Route.REGISTER) {
                registration.handle(exchange);
            } else {
                Caller caller = tokens.authenticate(exchange);
                MDC.put("tenantId", caller.tenantId());
                BearerTokens.authorize(caller, route, exchange.source());
                handle(exchange, match, caller);
            }
        } catch (RuntimeException e) {
            exchange.fail(e);
        } finally {
            exchange.wipeBody();
            MDC.remove("requestId");
            MDC.remove("tenantId");
        }
    }

    private void handle(Exchange exchange, Route.Match match, Caller caller) {
        switch (match.route()) {
            case PASSWORD_RESET, PASSWORD_CHANGE, UNLOCK -> operations.handle(exchange, caller, match.route());
            case LOOKUP -> lookup.handle(exchange, caller);
            case STATUS -> admin.status(exchange, caller);
            case SETTINGS -> admin.settings(exchange, caller);
            case REGISTRATION_TOKEN -> admin.registrationToken(exchange, caller);
            case AGENTS -> admin.agents(exchange, caller);
            case AGENT_DELETE -> admin.deleteAgent(exchange, caller, match.id());
            case AGENT_ROTATE_KEYS -> admin.rotateKeys(exchange, caller, match.id());
            case AUDIT -> admin.audit(exchange, caller);
            case TOKENS -> tokenAdmin.list(exchange, caller);
            case TOKEN_DELETE -> tokenAdmin.revoke(exchange, caller, match.id());
            case PORTAL_SETTINGS -> portalAdmin.show(exchange, caller);
            case PORTAL_SETTINGS_UPDATE -> portalAdmin.update(exchange, caller);
            case HASH_SYNC_STATUS -> hashSync.status(exchange, caller);
            case HASH_SYNC_SETTINGS -> hashSync.settings(exchange, caller);
            case HASH_SYNC_FULL_SYNC -> hashSync.fullSync(exchange, caller);
            case HASH_SYNC_USER -> hashSync.user(exchange, caller, match.id());
            case PASSWORD_CHECK -> hashSync.check(exchange, caller);
            default -> throw new IllegalStateException("route: " + match.route() + " (expected: a tenant route)");
        }
    }

    /** Ready as {@link Readiness} says. */
    private void ready(Exchange exchange) {
        String why = Readiness.notReadyBecause(context.store(), context.gateway());
        if (why != null) {
            exchange.respond(HttpResponseStatus.SERVICE_UNAVAILABLE, Exchange.json().put("status", "DOWN").put("message", why));
            return;
        }
        exchange.respond(HttpResponseStatus.OK, Exchange.json().put("status", "UP"));
    }

    private static void checkBody(Route route, Exchange exchange) {
        if (exchange.body().length > MAX_BODY_BYTES) {
            throw ApiException.payloadTooLarge(exchange.body().length, MAX_BODY_BYTES);
        }
        if (!JSON_BODY.contains(route)) {
            return;
        }
        String type = exchange.header(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !isJson(type)) {
            String shown = type == null ? "(none)" : type.length() <= 64 ? type : "(too long)";
            throw ApiException.unsupportedMediaType("content type: " + shown
                    + " (expected: application/json; charset=utf-8)");
        }
    }

    /** The answer to a request the HTTP codec could not decode; the connection closes after it. */
    private static ApiException undecodable(Throwable cause) {
        logger.info("API-431 request refused: not decodable ({})", cause.getClass().getSimpleName());
        if (cause instanceof TooLongHttpLineException) {
            return ApiException.uriTooLong(MAX_REQUEST_LINE_BYTES);
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiException.headersTooLarge(MAX_HEADER_BYTES);
        }
        return ApiException.invalid("request", "request: not valid HTTP (expected: an HTTP/1.1 request)");
    }

    private static boolean isJson(String contentType) {
        CharSequence mime = HttpUtil.getMimeType(contentType);
        return mime != null && Exchange.JSON.equalsIgnoreCase(mime.toString())
                && StandardCharsets.UTF_8.equals(HttpUtil.getCharset(contentType, StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = DecoderFailures.unwrap(cause);
        if (root instanceof SSLException || root instanceof IOException || root instanceof PrematureChannelClosureException) {
            // TLS garbage, a failed handshake, a reset, a request cut off: the client's doing (or a deadline's), and
            // cheap to provoke; no stack trace
            logger.debug("Connection failed, closing remote={}: {}", ctx.channel().remoteAddress(), root.toString());
        } else if (root instanceof IllegalStateException && String.valueOf(root.getMessage()).startsWith("maxPipelineDepth")) {
            // the HTTP codec's limit on unanswered pipelined requests: the client's doing, one line is enough
            logger.info("API-436 too many pipelined requests ({}), closing remote={}", LogSafe.of(root.getMessage(), 80),
                    ClientAddress.of(ctx.channel()));
        } else {
            logger.warn("API-500 channel failed, closing remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
