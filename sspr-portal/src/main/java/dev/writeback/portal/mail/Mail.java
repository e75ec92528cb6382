package dev.writeback.portal.mail;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One message to one recipient, in the recipient's language: plain text and the same content as HTML.
 *
 * @param to the recipient address
 * @param subject the subject line
 * @param text the plain-text body
 * @param html the HTML body (already escaped)
 * @param locale the language of the message
 */
public record Mail(String to, String subject, String text, String html, Locale locale) {
    public Mail {
        requireNonNull(to, "to");
        requireNonNull(subject, "subject");
        requireNonNull(text, "text");
        requireNonNull(html, "html");
        requireNonNull(locale, "locale");
    }

    @Override
    public String toString() {
        return "Mail[subject=" + subject + ", locale=" + locale + "]";   // the body holds a code
    }
}
