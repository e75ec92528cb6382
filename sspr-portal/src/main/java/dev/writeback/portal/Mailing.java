package dev.writeback.portal;

import dev.writeback.portal.mail.Mail;
import dev.writeback.portal.mail.MailException;
import dev.writeback.portal.mail.MailSender;
import dev.writeback.portal.mail.MailSettings;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.unbescape.html.HtmlEscape;

/**
 * Writes and sends the code mail in the user's language, off the request's thread: the page answers at once,
 * so an address that gets mail takes no longer than one that does not (anti-enumeration).
 */
final class Mailing {
    private static final Logger logger = LoggerFactory.getLogger(Mailing.class);

    private final MailSender sender;
    private final MailSettings global;
    private final Executor executor;

    Mailing(MailSender sender, MailSettings global, Executor executor) {
        this.sender = sender;
        this.global = global;
        this.executor = executor;
    }

    /** Queues the code mail; failures are logged (never with the address or the code). */
    void sendCode(PortalSettings tenant, String to, String displayName, String code, String supportCode, Locale locale) {
        MailSettings settings = tenant.mail() != null ? tenant.mail() : global;
        if (settings == null) {
            logger.warn("POR-520 code not mailed tenant={} support={}: no mail settings (expected: tenant or global"
                    + " mail settings)", tenant.tenantName(), supportCode);
            return;
        }
        Mail mail = codeMail(tenant, to, displayName, code, supportCode, locale);
        try {
            executor.execute(() -> send(settings, mail, tenant, supportCode));
        } catch (RejectedExecutionException e) {
            logger.warn("POR-520 code not mailed tenant={} support={}: shutting down", tenant.tenantName(), supportCode);
        }
    }

    private void send(MailSettings settings, Mail mail, PortalSettings tenant, String supportCode) {
        try {
            sender.send(settings, mail);
            logger.debug("Code mailed tenant={} support={}", tenant.tenantName(), supportCode);
        } catch (MailException e) {
            logger.warn("POR-520 code not mailed tenant={} support={}: {}", tenant.tenantName(), supportCode,
                    e.getMessage(), e.getCause());
        }
    }

    static Mail codeMail(PortalSettings tenant, String to, String displayName, String code, String supportCode,
                         Locale locale) {
        String greeting = displayName.isBlank() ? Messages.get(locale, "mail.greetingAnonymous")
                : Messages.get(locale, "mail.greeting", displayName);
        String codeLine = Messages.get(locale, "mail.code", code);
        String validity = Messages.get(locale, "mail.validity");
        String ignore = Messages.get(locale, "mail.ignore");
        String link = tenant.baseUrl() == null ? null : Messages.get(locale, "mail.link", tenant.baseUrl());
        String support = Messages.get(locale, "mail.support", supportCode);
        var text = new StringBuilder().append(greeting).append("\n\n").append(codeLine).append("\n\n")
                .append(validity).append("\n").append(ignore).append("\n\n");
        if (link != null) {
            text.append(link).append("\n");
        }
        text.append(support).append("\n");
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"").append(locale.getLanguage())
                .append("\"><body><p>").append(esc(greeting)).append("</p><p>")
                .append(esc(Messages.get(locale, "mail.code", ""))).append("<strong style=\"font-size:1.4em;letter-spacing:.15em\">")
                .append(esc(code)).append("</strong></p><p>").append(esc(validity)).append("</p><p>")
                .append(esc(ignore)).append("</p>");
        if (link != null) {
            html.append("<p><a href=\"").append(esc(tenant.baseUrl().toString())).append("\">")
                    .append(esc(link)).append("</a></p>");
        }
        html.append("<p style=\"color:#555\">").append(esc(support)).append("</p></body></html>");
        return new Mail(to, Messages.get(locale, "mail.subject"), text.toString(), html.toString(), locale);
    }

    private static String esc(String s) {
        return HtmlEscape.escapeHtml5(s);
    }
}
