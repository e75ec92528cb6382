package dev.writeback.relay.api;

import dev.writeback.relay.store.ApiScope;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API's routes (DESIGN §7): method, path template and the scope a tenant bearer token needs for it (null when
 * the route takes no token).
 */
enum Route {
    HEALTH(HttpMethod.GET, "/healthz", null),
    READY(HttpMethod.GET, "/readyz", null),
    METRICS(HttpMethod.GET, "/metrics", null),
    REGISTER(HttpMethod.POST, "/agent/v1/register", null),
    PASSWORD_RESET(HttpMethod.POST, "/api/v1/writeback/password-reset", ApiScope.OPERATIONS),
    PASSWORD_CHANGE(HttpMethod.POST, "/api/v1/writeback/password-change", ApiScope.OPERATIONS),
    UNLOCK(HttpMethod.POST, "/api/v1/writeback/unlock", ApiScope.OPERATIONS),
    LOOKUP(HttpMethod.POST, "/api/v1/writeback/lookup", ApiScope.OPERATIONS),
    STATUS(HttpMethod.GET, "/api/v1/writeback/status", ApiScope.OPERATIONS),
    SETTINGS(HttpMethod.PUT, "/api/v1/writeback/settings", ApiScope.ADMIN),
    REGISTRATION_TOKEN(HttpMethod.POST, "/api/v1/agents/registration-tokens", ApiScope.ADMIN),
    AGENTS(HttpMethod.GET, "/api/v1/agents", ApiScope.ADMIN),
    AGENT_DELETE(HttpMethod.DELETE, "/api/v1/agents/{id}", ApiScope.ADMIN),
    AGENT_ROTATE_KEYS(HttpMethod.POST, "/api/v1/agents/{id}/rotate-keys", ApiScope.ADMIN),
    AUDIT(HttpMethod.GET, "/api/v1/audit", ApiScope.ADMIN),
    TOKENS(HttpMethod.GET, "/api/v1/tokens", ApiScope.ADMIN),
    TOKEN_DELETE(HttpMethod.DELETE, "/api/v1/tokens/{id}", ApiScope.ADMIN),
    PORTAL_SETTINGS(HttpMethod.GET, "/api/v1/portal/settings", ApiScope.ADMIN),
    PORTAL_SETTINGS_UPDATE(HttpMethod.PUT, "/api/v1/portal/settings", ApiScope.ADMIN),
    HASH_SYNC_STATUS(HttpMethod.GET, "/api/v1/hash-sync/status", ApiScope.ADMIN),
    HASH_SYNC_SETTINGS(HttpMethod.PUT, "/api/v1/hash-sync/settings", ApiScope.ADMIN),
    HASH_SYNC_FULL_SYNC(HttpMethod.POST, "/api/v1/hash-sync/full-sync", ApiScope.ADMIN),
    HASH_SYNC_USER(HttpMethod.GET, "/api/v1/hash-sync/users/{user}", ApiScope.ADMIN),
    PASSWORD_CHECK(HttpMethod.POST, "/api/v1/authentication/password-check", ApiScope.PASSWORD_CHECK);

    /** What an {@code {id}} segment may be: agent and token ids are UUIDs, anything else cannot name one. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** What a {@code {user}} segment may be: a percent-encoded anchor or UPN. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9%._@~+=:-]{1,1024}");

    private final HttpMethod method;
    private final String template;
    private final String[] segments;
    private final ApiScope scope;

    Route(HttpMethod method, String template, ApiScope scope) {
        this.method = method;
        this.template = template;
        this.segments = template.split("/", -1);
        this.scope = scope;
    }

    /** A route matched against a request, with the value of its {@code {id}} segment (or null). */
    record Match(Route route, String id) {}

    /** The route for a request; 404 for an unknown path, 405 (with {@code Allow}) for a known path and wrong method. */
    static Match match(HttpMethod method, String path) {
        List<Match> literal = new ArrayList<>();
        List<Match> templated = new ArrayList<>();
        for (Route route : values()) {
            String id = route.idIn(path);
            if (id != null) {
                (route.template.contains("{") ? templated : literal).add(new Match(route, id.isEmpty() ? null : id));
            }
        }
        List<Match> candidates = literal.isEmpty() ? templated : literal;
        if (candidates.isEmpty()) {
            throw ApiException.notFound(ApiError.NOT_FOUND, "path: not found (expected: a path under /api/v1/, /agent/v1/register, /healthz, /readyz or /metrics)");
        }
        for (Match m : candidates) {
            if (m.route.method.equals(method)) {
                return m;
            }
        }
        String allow = candidates.stream().map(m -> m.route.method.name()).distinct().collect(Collectors.joining(", "));
        throw ApiException.methodNotAllowed(method.name(), allow);
    }

    /** The id when {@code path} matches this template ("" without an id segment), else null. */
    private String idIn(String path) {
        String[] parts = path.split("/", -1);
        if (parts.length != segments.length) {
            return null;
        }
        String id = "";
        for (int i = 0; i < parts.length; i++) {
            if (segments[i].equals("{id}") || segments[i].equals("{user}")) {
                if (!(segments[i].equals("{id}") ? ID : USER).matcher(parts[i]).matches()) {
                    return null;
                }
                id = parts[i];
            } else if (!segments[i].equals(parts[i])) {
                return null;
            }
        }
        return id;
    }

    HttpMethod method() {
        return method;
    }

    /** The path template, used as the {@code route} tag of metrics. */
    String template() {
        return template;
    }

    boolean tokenRequired() {
        return scope != null;
    }

    /** The scope a token needs for this route, or null when the route takes no token. */
    ApiScope scope() {
        return scope;
    }
}
