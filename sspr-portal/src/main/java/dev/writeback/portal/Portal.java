package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.portal.mail.MailSender;
import dev.writeback.protocol.RequestId;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Event ids logged by this module (copy into docs/events.md):
 *
 * | id      | level | when                                                                                     |
 * |---------|-------|------------------------------------------------------------------------------------------|
 * | POR-200 | INFO  | a portal step finished: step, result, tenant, support code (never a code or password)    |
 * | POR-429 | INFO  | a user id or a source address was locked out of the portal by its limits                |
 * | POR-500 | WARN  | a portal request failed unexpectedly (answered with a plain error page)                  |
 * | POR-503 | INFO  | a reset was refused at the start: writeback not UP (the user is told whom to contact)    |
 * | POR-510 | INFO  | a message was written to the outbox folder (demo transport: nothing was sent)            |
 * | POR-520 | WARN  | a code could not be mailed: transport and server named, never the address or the code    |
 */

/**
 * The self-service password reset portal (DESIGN §12): routes {@code /sspr/{tenant-name}/...} requests to the
 * steps of {@link Flow} and serves the portal's own script and style sheet. One instance serves every tenant;
 * {@link #handle} is blocking (store, writeback) and must run off the event loop.
 */
public final class Portal {
    /** Every portal path starts with this. */
    public static final String PREFIX = "/sspr/";
    static final String COOKIE = "sspr_session";

    private static final Logger logger = LoggerFactory.getLogger(Portal.class);
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Map<String, String> ASSETS = Map.of(
            "portal.js", "text/javascript; charset=utf-8",
            "portal.css", "text/css; charset=utf-8");

    private final PortalConfig config;
    private final PortalStore store;
    private final SecureRandom random = new SecureRandom();
    private final Pages pages = new Pages();
    private final Flow flow;
    private final Map<String, byte[]> assets = new HashMap<>();

    private Portal(PortalConfig config, PortalStore store, Writeback writeback, Executor mailExecutor) {
        this.config = config;
        this.store = store;
        var hashes = new Hashes(store.codeKey());
        this.flow = new Flow(config, store, writeback, new Limits(store, config.clock()), hashes, random,
                new Mailing(new MailSender(config.clock()), config.globalMail(), mailExecutor));
        ASSETS.keySet().forEach(name -> assets.put(name, load("portal/static/" + name)));
    }

    /** A portal over {@code store} and {@code writeback}; codes are mailed on {@code mailExecutor}. */
    public static Portal of(PortalConfig config, PortalStore store, Writeback writeback, Executor mailExecutor) {
        return new Portal(requireNonNull(config, "config"), requireNonNull(store, "store"),
                requireNonNull(writeback, "writeback"), requireNonNull(mailExecutor, "mailExecutor"));
    }

    /** Answers one request; blocking. */
    public PortalResponse handle(PortalRequest request) {
        try {
            return route(request);
        } catch (RuntimeException e) {
            logger.warn("POR-500 portal request failed path={}", request.path(), e);
            return PortalResponse.text(500, "The password reset portal failed. Please try again later.");
        } finally {
            request.wipe();
        }
    }

    private PortalResponse route(PortalRequest request) {
        if (request.host() != null && request.serverName() != null && !request.host().equals(request.serverName())) {
            // a connection opened for one name must not serve another's pages (a shared certificate would allow it)
            return PortalResponse.text(421, "Misdirected request: the Host header does not match the TLS server name.");
        }
        if (!request.path().startsWith(PREFIX)) {
            // the root of a tenant's own portal hostname leads to its portal; anywhere else it is nothing
            return hostOwner(request).filter(PortalSettings::enabled)
                    .map(s -> PortalResponse.redirect(PREFIX + s.tenantName() + "/", Map.of()))
                    .orElseGet(() -> PortalResponse.text(404, "Not found."));
        }
        String rest = request.path().substring(PREFIX.length());
        if (rest.startsWith("static/")) {
            return asset(request, rest.substring("static/".length()));
        }
        int slash = rest.indexOf('/');
        String tenantName = slash < 0 ? rest : rest.substring(0, slash);
        String page = slash < 0 ? null : rest.substring(slash + 1);
        if (!TENANT.matcher(tenantName).matches()) {
            return PortalResponse.text(404, "Not found.");
        }
        if (page == null) {
            return PortalResponse.redirect(PREFIX + tenantName + "/", Map.of());
        }
        Optional<PortalSettings> settings = store.settings(tenantName);
        Locale locale = Messages.choose(request.queryParameter("lang"), request.acceptLanguage(), null);
        boolean otherTenantsHost = request.host() != null
                && !request.host().equals(settings.map(PortalSettings::hostname).orElse(null))
                && hostOwner(request).isPresent();   // asked only when the host is not this tenant's own
        if (settings.isEmpty() || !settings.get().enabled() || otherTenantsHost) {
            return off(tenantName, locale);   // an unknown tenant looks exactly like one with the portal off
        }
        Session session = session(request, settings.get());
        String method = request.method();
        if (method.equals("GET") && page.isEmpty()) {
            return flow.show(session, request);
        }
        if (method.equals("POST") && List.of("start", "verify", "choose", "password", "restart").contains(page)) {
            return flow.submit(session, request, page);
        }
        return PortalResponse.text(method.equals("GET") || method.equals("POST") ? 404 : 405, "Not found.");
    }

    /** The tenant whose own portal hostname the request's {@code Host} names, if any. */
    private Optional<PortalSettings> hostOwner(PortalRequest request) {
        return request.host() == null ? Optional.empty() : store.settingsByHostname(request.host());
    }

    private PortalResponse off(String tenantName, Locale locale) {
        Map<String, Object> model = new HashMap<>();
        model.put("lang", locale.getLanguage());
        model.put("tenant", tenantName);
        model.put("base", PREFIX + tenantName + "/");
        model.put("page", "off");
        model.put("contact", Messages.get(locale, "contact.default"));
        model.put("errors", List.of());
        model.put("heading", Messages.get(locale, "unavailable.off.heading"));
        model.put("message", Messages.get(locale, "unavailable.off"));
        model.put("tone", "failed");
        return PortalResponse.html(404, pages.render("message", locale, model), Map.of());
    }

    /** The request's session if its cookie names a live one of this tenant, else a new one. */
    private Session session(PortalRequest request, PortalSettings settings) {
        String id = cookie(request.cookie());
        Instant now = config.clock().instant();
        if (id != null) {
            Optional<byte[]> stored = store.session(Hashes.sessionKey(id), now);
            if (stored.isPresent()) {
                FlowState state = FlowState.fromBytes(stored.get());
                if (settings.tenantId().equals(state.tenantId)) {
                    return new Session(id, state, settings, false, pages);
                }
            }
        }
        return Session.create(settings, now, random, pages);
    }

    static String cookie(String header) {
        if (header == null || header.length() > 4096) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String value = p.substring(COOKIE.length() + 1);
                return SESSION_ID.matcher(value).matches() ? value : null;
            }
        }
        return null;
    }

    static String newSessionId(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String newSupportCode() {
        return RequestId.random().toString();
    }

    private PortalResponse asset(PortalRequest request, String name) {
        byte[] content = assets.get(name);
        if (content == null || !request.method().equals("GET")) {
            return PortalResponse.text(404, "Not found.");
        }
        return PortalResponse.asset(content, ASSETS.get(name));
    }

    private static byte[] load(String resource) {
        try (InputStream in = Portal.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("portal asset: " + resource + " missing (expected: on the class path)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("portal asset: " + resource + " unreadable", e);
        }
    }
}
