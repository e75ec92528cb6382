package dev.writeback.relay.api;

import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.ApiTokenInfo;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.Tenant;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks {@code Authorization: Bearer wb_api_...} against the store, with failures rate-limited per source. A
 * missing, malformed, unknown or revoked token, or one whose tenant is gone, gets the same 401, so nothing tells
 * whether a token exists. A valid token gets 403, which costs nothing from the source's failure allowance, when an
 * optional {@code X-Tenant-Id} header names another tenant than the token's, or when the route needs a scope the
 * token lacks.
 */
final class BearerTokens {
    /** Header a caller may send to make sure its token belongs to the tenant it means. */
    static final String TENANT_HEADER = "X-Tenant-Id";

    private static final Logger logger = LoggerFactory.getLogger(BearerTokens.class);
    private static final String SCHEME = "bearer ";
    private static final int MAX_HEADER_CHARS = 256;

    private final Store store;
    private final FailureLimiter limiter;
    private final ApiMetrics metrics;
    private final Clock clock;

    BearerTokens(Store store, FailureLimiter limiter, ApiMetrics metrics, Clock clock) {
        this.store = store;
        this.limiter = limiter;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * The caller of an API request; throws 401 or 429 (a failure), or 403. The token is always checked first, so a
     * valid one works even while its source is out of failed attempts. Blocking: call off the event loop.
     */
    Caller authenticate(Exchange exchange) {
        Optional<Caller> caller = lookUp(exchange.header(HttpHeaderNames.AUTHORIZATION));
        if (caller.isEmpty()) {
            throw failed(limiter, metrics, exchange.source(), "api");
        }
        String tenantHeader = exchange.header(TENANT_HEADER);
        if (tenantHeader != null && !tenantHeader.equals(caller.get().tenantId())) {
            logger.info("API-403 token refused: {} names another tenant tokenId={} source={}", TENANT_HEADER,
                    caller.get().tokenId(), exchange.source());
            throw ApiException.forbidden("token: not valid for tenant in " + TENANT_HEADER
                    + " (expected: a token of that tenant)");
        }
        return caller.get();
    }

    private Optional<Caller> lookUp(String header) {
        if (header == null || header.length() > MAX_HEADER_CHARS
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Optional.empty();
        }
        String token = header.substring(SCHEME.length()).strip();
        Optional<ApiTokenInfo> info = store.findApiToken(token);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        Optional<Tenant> tenant = store.tenant(info.get().tenantId());
        tenant.ifPresent(t -> recordUse(info.get()));
        return tenant.map(t -> new Caller(info.get().id(), info.get().scope(), t));
    }

    /** Keeps the token's "last used" time, written at most once per {@link Store#TOKEN_USE_RESOLUTION}. */
    private void recordUse(ApiTokenInfo info) {
        Instant now = clock.instant();
        Instant last = info.lastUsedAt();
        if (last != null && last.plus(Store.TOKEN_USE_RESOLUTION).isAfter(now)) {
            return;
        }
        try {
            store.recordApiTokenUse(info.id(), now);
        } catch (RuntimeException e) {   // bookkeeping only: the request it belongs to goes on
            logger.debug("Last use of token {} not recorded: {}", info.id(), e.toString());
        }
    }

    /** Throws 403 when the caller's token lacks the scope {@code route} needs. */
    static void authorize(Caller caller, Route route, String source) {
        ApiScope required = route.scope();
        if (required == null || caller.scope().allows(required)) {
            return;
        }
        logger.info("API-403 token scope refused {} {} scope={} required={} tokenId={} source={}", route.method(),
                route.template(), caller.scope().wire(), required.wire(), caller.tokenId(), source);
        throw ApiException.forbidden("token scope: " + caller.scope().wire() + " (expected: " + required.wire() + ")");
    }

    /**
     * Counts a failed token attempt of {@code kind} and returns what to throw: 401 while {@code source} has failed
     * attempts left, 429 with {@code Retry-After} once it has none. Only failures come here: a valid token is
     * honoured whatever its source's failures, so a guesser sharing a NAT, proxy or load balancer with honest
     * callers locks out nobody but itself. {@code API-429} is logged once when the allowance runs out.
     */
    static ApiException failed(FailureLimiter limiter, ApiMetrics metrics, String source, String kind) {
        metrics.authFailure(kind);
        boolean alreadyOut = !limiter.retryAfter(source).isZero();
        boolean usedUp = limiter.recordFailure(source);
        if (alreadyOut) {
            metrics.rateLimited();
            long seconds = Math.max(1, (limiter.retryAfter(source).toMillis() + 999) / 1000);
            logger.debug("API-429 {} token refused source={} retryAfter={}s", kind, source, seconds);
            return ApiException.tooManyRequests(seconds);
        }
        if (usedUp) {
            logger.warn("API-429 failed {} token attempts used up source={}: its further failures are answered 429"
                    + " (valid tokens from it still work)", kind, source);
        } else {
            logger.info("API-401 {} token refused source={}", kind, source);
        }
        return ApiException.unauthorized("api".equals(kind)
                ? "token: missing or unknown (expected: Authorization: Bearer wb_api_...)"
                : "registration token: unknown, used or expired (expected: a new token from an administrator)");
    }
}
