package dev.writeback.portal;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One browser's session: its random id (only in the cookie; the store sees its SHA-256), its {@link FlowState}
 * and its tenant's settings. Sessions end 15 minutes after they start, whatever happens in between.
 */
final class Session {
    final String id;
    final FlowState state;
    final PortalSettings settings;
    final boolean fresh;
    private final Pages pages;

    Session(String id, FlowState state, PortalSettings settings, boolean fresh, Pages pages) {
        this.id = id;
        this.state = state;
        this.settings = settings;
        this.fresh = fresh;
        this.pages = pages;
    }

    static Session create(PortalSettings settings, Instant now, SecureRandom random, Pages pages) {
        var state = new FlowState();
        state.tenantId = settings.tenantId();
        state.createdAt = now.toEpochMilli();
        state.expiresAt = now.plus(PortalConfig.SESSION_TTL).toEpochMilli();
        state.csrf = Portal.newSessionId(random);
        state.challenge = Captcha.challenge(random);
        state.supportCode = Portal.newSupportCode();
        return new Session(Portal.newSessionId(random), state, settings, true, pages);
    }

    String key() {
        return Hashes.sessionKey(id);
    }

    String base() {
        return Portal.PREFIX + settings.tenantName() + "/";
    }

    Locale locale(PortalRequest request) {
        Locale current = state.locale == null ? null : Locale.forLanguageTag(state.locale);
        Locale chosen = Messages.choose(request.queryParameter("lang"), request.acceptLanguage(), current);
        state.locale = chosen.getLanguage();
        return chosen;
    }

    Locale locale() {
        return state.locale == null ? Locale.ENGLISH : Locale.forLanguageTag(state.locale);
    }

    String contact() {
        return settings.contact().isBlank() ? Messages.get(locale(), "contact.default") : settings.contact();
    }

    /** The model every page gets, with the pending error (then cleared). */
    Map<String, Object> model(String page) {
        Map<String, Object> m = new HashMap<>();
        m.put("lang", locale().getLanguage());
        m.put("tenant", settings.tenantName());
        m.put("base", base());
        m.put("page", page);
        m.put("csrf", state.csrf);
        m.put("support", state.supportCode);
        m.put("contact", contact());
        if (state.errorKey != null) {
            String text = Messages.get(locale(), state.errorKey, state.errorArgs);
            m.put("errors", List.of(Map.of("field", state.errorField, "text", text)));
            m.put("fieldError", text);
            state.errorKey = null;
            state.errorField = null;
            state.errorArgs = new Object[0];
        } else {
            m.put("errors", List.of());
        }
        return m;
    }

    String render(String template, Map<String, Object> model) {
        return pages.render(template, locale(), model);
    }

    /** The {@code Set-Cookie} header of a new session, else nothing. */
    Map<String, String> cookieHeader(Instant now) {
        if (!fresh) {
            return Map.of();
        }
        long maxAge = Math.max(0, Duration.between(now, Instant.ofEpochMilli(state.expiresAt)).toSeconds());
        return Map.of("Set-Cookie", Portal.COOKIE + "=" + id + "; Path=" + base() + "; Max-Age=" + maxAge
                + "; Secure; HttpOnly; SameSite=Strict");
    }
}
