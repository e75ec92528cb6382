package dev.writeback.relay.api;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.portal.PortalSettings;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.Secret;
import dev.writeback.relay.store.AuditEvent;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's portal settings over REST: {@code GET /api/v1/portal/settings} and {@code PUT} with the fields to
 * change (a field left out keeps its value), the same settings {@code relay portal set} changes. The SMTP
 * password is write-only: a read says only whether one is set. The demo's outbox transport is not offered here,
 * because it writes files on the relay's host at a path the caller would choose; it is set with the CLI.
 * Blocking: runs on the blocking executor; every change is audited with the names of the fields changed.
 */
final class PortalAdmin {
    static final List<String> FIELDS = List.of("enabled", "contact", "baseUrl", "codeDigits", "captchaBits",
            "mailTransport", "mailFrom", "smtpHost", "smtpPort", "smtpSecurity", "smtpUser", "smtpPassword", "hostname");
    private static final int MAX_TEXT = 320;
    private static final Logger logger = LoggerFactory.getLogger(PortalAdmin.class);

    private final ApiContext context;
    private final AuditTrail audit;

    PortalAdmin(ApiContext context, AuditTrail audit) {
        this.context = context;
        this.audit = audit;
    }

    /** {@code GET /api/v1/portal/settings}. */
    void show(Exchange exchange, Caller caller) {
        exchange.respond(HttpResponseStatus.OK, json(current(caller)));
    }

    /** {@code PUT /api/v1/portal/settings}: changes the fields given, checks the result as a whole, then saves it. */
    void update(Exchange exchange, Caller caller) {
        PortalSettings before = current(caller);
        var change = new Change();
        try {
            JsonBody.read(exchange.body(), FIELDS, (field, p) -> {
                switch (field) {
                    case "enabled" -> change.enabled = JsonBody.bool(p, field);
                    case "contact" -> change.contact = JsonBody.string(p, field, PortalSettings.MAX_CONTACT_LENGTH);
                    case "baseUrl" -> change.baseUrl = p.currentToken() == JsonToken.VALUE_NULL
                            ? "" : JsonBody.string(p, field, 2048);
                    case "codeDigits" -> change.codeDigits = JsonBody.integer(p, field, 6, 8);
                    case "captchaBits" -> change.captchaBits = JsonBody.integer(p, field, 0, 24);
                    case "hostname" -> change.hostname = p.currentToken() == JsonToken.VALUE_NULL
                            ? "" : JsonBody.string(p, field, 253);
                    case "mailTransport" -> change.transport = JsonBody.string(p, field, 16).toLowerCase(Locale.ROOT);
                    case "mailFrom" -> change.from = JsonBody.string(p, field, MAX_TEXT);
                    case "smtpHost" -> change.host = JsonBody.string(p, field, 255);
                    case "smtpPort" -> change.port = JsonBody.integer(p, field, 1, 65535);
                    case "smtpSecurity" -> change.security = JsonBody.string(p, field, 16);
                    case "smtpUser" -> change.user = JsonBody.string(p, field, MAX_TEXT);
                    case "smtpPassword" -> {
                        if (change.password != null) {
                            change.password.close();
                        }
                        change.password = JsonBody.secret(p, field, 1024);
                    }
                    default -> throw new IllegalStateException("field: " + field);
                }
                change.fields.add(field);
            });
            if (change.fields.isEmpty()) {
                throw ApiException.invalid("body", "body: no field (expected: one or more of " + String.join(", ", FIELDS) + ")");
            }
            PortalSettings after = change.applyTo(before);
            try {
                context.store().savePortalSettings(after);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("hostname", e.getMessage());
            }
            String detail = "changed=" + String.join(",", change.fields) + " enabled=" + after.enabled()
                    + " mail=" + (after.mail() == null ? "global" : after.mail().transport().name().toLowerCase(Locale.ROOT));
            audit.ok(caller.tenantId(), caller.tokenId(), AuditEvent.PORTAL_SETTINGS, null, detail);
            logger.info("API-207 portal settings changed tenant={} {}", caller.tenantId(), detail);
            exchange.respond(HttpResponseStatus.OK, json(after));
        } finally {
            if (change.password != null) {
                change.password.close();
            }
        }
    }

    private PortalSettings current(Caller caller) {
        return context.store().portal().settings(caller.tenant().name()).orElseGet(() -> PortalSettings.defaults(
                caller.tenantId(), caller.tenant().name(), caller.tenant().allowUnlockWithoutReset()));
    }

    static ObjectNode json(PortalSettings s) {
        ObjectNode json = Exchange.json()
                .put("tenant", s.tenantName())
                .put("enabled", s.enabled())
                .put("path", "/sspr/" + s.tenantName() + "/")
                .put("hostname", s.hostname())
                .put("allowUnlockWithoutReset", s.allowUnlockWithoutReset())
                .put("contact", s.contact())
                .put("baseUrl", s.baseUrl() == null ? null : s.baseUrl().toString())
                .put("codeDigits", s.codeDigits())
                .put("captchaBits", s.captchaBits());
        MailSettings m = s.mail();
        ObjectNode mail = json.putObject("mail");
        if (m == null) {
            mail.put("transport", "global");
        } else if (m.transport() == MailSettings.Transport.OUTBOX) {
            mail.put("transport", "outbox").put("from", m.from()).put("outbox", m.outbox().toString());
        } else {
            mail.put("transport", "smtp").put("from", m.from()).put("host", m.host()).put("port", m.port())
                    .put("security", m.security().name().toLowerCase(Locale.ROOT)).put("user", m.username())
                    .put("passwordSet", m.password() != null);
        }
        return json;
    }

    /** The fields of one PUT; null where not given. */
    private static final class Change {
        final List<String> fields = new ArrayList<>();
        Boolean enabled;
        String contact;
        String baseUrl;
        Integer codeDigits;
        Integer captchaBits;
        String hostname;
        String transport;
        String from;
        String host;
        Integer port;
        String security;
        String user;
        Secret password;

        PortalSettings applyTo(PortalSettings s) {
            URI url = s.baseUrl();
            if (baseUrl != null) {
                url = baseUrl.isEmpty() ? null : uri(baseUrl);
            }
            MailSettings mail = mail(s.mail());
            try {
                return new PortalSettings(s.tenantId(), s.tenantName(), enabled != null ? enabled : s.enabled(),
                        s.allowUnlockWithoutReset(), contact != null ? contact : s.contact(), url,
                        codeDigits != null ? codeDigits : s.codeDigits(),
                        captchaBits != null ? captchaBits : s.captchaBits(), mail,
                        hostname == null ? s.hostname() : hostname.isEmpty() ? null : hostname);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("body", e.getMessage());
            }
        }

        private MailSettings mail(MailSettings current) {
            boolean smtpField = from != null || host != null || port != null || security != null || user != null
                    || password != null;
            String wanted = transport != null ? transport
                    : smtpField ? (current == null ? "smtp" : current.transport().name().toLowerCase(Locale.ROOT)) : null;
            if (wanted == null) {
                return current;
            }
            switch (wanted) {
                case "global" -> {
                    if (smtpField) {
                        throw ApiException.invalid("mailTransport", "mailTransport: global with SMTP fields "
                                + "(expected: smtp, or no mailFrom/smtp* fields)");
                    }
                    return null;
                }
                case "smtp" -> {
                    MailSettings base = current != null && current.transport() == MailSettings.Transport.SMTP ? current : null;
                    MailSettings.Security sec = base == null ? MailSettings.Security.STARTTLS : base.security();
                    if (security != null) {
                        try {
                            sec = MailSettings.Security.valueOf(security.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw ApiException.invalid("smtpSecurity", "smtpSecurity: " + security
                                    + " (expected: starttls, tls or none)");
                        }
                    }
                    String name = user != null ? user : base == null ? "" : base.username();
                    // A new user name without a new password does not inherit the old user's password.
                    Secret secret = password != null ? password
                            : base != null && name.equals(base.username()) ? base.password() : null;
                    int defaultPort = sec == MailSettings.Security.TLS ? 465 : 587;
                    try {
                        return MailSettings.smtp(host != null ? host : base == null ? null : base.host(),
                                port != null ? port : base == null ? defaultPort : base.port(), sec, name,
                                name.isEmpty() ? null : secret,
                                from != null ? from : current == null ? "" : current.from());
                    } catch (IllegalArgumentException e) {
                        throw ApiException.invalid("mail", "mail " + e.getMessage());
                    }
                }
                case "outbox" -> throw ApiException.invalid("mailTransport", "mailTransport: outbox (expected: smtp "
                        + "or global; the demo outbox is set with `relay portal set --mail outbox`)");
                default -> throw ApiException.invalid("mailTransport", "mailTransport: " + transport
                        + " (expected: smtp or global)");
            }
        }

        private static URI uri(String text) {
            try {
                return new URI(text);
            } catch (URISyntaxException e) {
                throw ApiException.invalid("baseUrl", "baseUrl: not a URL (expected: an https:// URL with a host)");
            }
        }
    }
}
