package dev.writeback.portal.mail;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.files.OwnerOnly;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link Mail} with Angus Mail (Jakarta Mail): SMTP with STARTTLS (required, not opportunistic) or TLS,
 * server identity checked, optional authentication, bounded timeouts; or, for the demo, writes it as an
 * {@code .eml} file into an outbox folder. Thread-safe.
 */
public final class MailSender {
    /** Connect, read and write timeout of an SMTP conversation. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final Logger logger = LoggerFactory.getLogger(MailSender.class);

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public MailSender(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** Sends one message; throws {@link MailException} when the server or the folder refuses it. */
    public void send(MailSettings settings, Mail mail) {
        requireNonNull(settings, "settings");
        requireNonNull(mail, "mail");
        try {
            Session session = session(settings);
            MimeMessage message = message(session, settings, mail);
            if (settings.transport() == MailSettings.Transport.OUTBOX) {
                writeToOutbox(settings.outbox(), message);
            } else {
                Transport.send(message);
            }
        } catch (MessagingException | IOException e) {
            throw new MailException("mail: not sent via " + settings + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** The Jakarta Mail properties for an SMTP transport. */
    static Properties properties(MailSettings settings) {
        var p = new Properties();
        String protocol = settings.security() == MailSettings.Security.TLS ? "smtps" : "smtp";
        p.put("mail.transport.protocol", protocol);
        String prefix = "mail." + protocol + ".";
        if (settings.host() != null) {
            p.put(prefix + "host", settings.host());
            p.put(prefix + "port", Integer.toString(settings.port()));
        }
        p.put(prefix + "connectiontimeout", Long.toString(TIMEOUT.toMillis()));
        p.put(prefix + "timeout", Long.toString(TIMEOUT.toMillis()));
        p.put(prefix + "writetimeout", Long.toString(TIMEOUT.toMillis()));
        p.put(prefix + "auth", Boolean.toString(!settings.username().isEmpty()));
        if (settings.security() == MailSettings.Security.STARTTLS) {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");   // never fall back to plain text
        }
        if (settings.security() != MailSettings.Security.NONE) {
            p.put(prefix + "ssl.checkserveridentity", "true");
            p.put(prefix + "ssl.protocols", "TLSv1.3 TLSv1.2");
        }
        return p;
    }

    private static Session session(MailSettings settings) {
        Properties p = properties(settings);
        if (settings.username().isEmpty()) {
            return Session.getInstance(p);
        }
        return Session.getInstance(p, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(settings.username(), new String(settings.password().reveal()));
            }
        });
    }

    private MimeMessage message(Session session, MailSettings settings, Mail mail) throws MessagingException {
        var message = new MimeMessage(session);
        message.setFrom(new InternetAddress(settings.from(), true));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(mail.to(), true));
        message.setSubject(mail.subject(), "UTF-8");
        message.setSentDate(Date.from(clock.instant()));
        message.setHeader("Content-Language", mail.locale().toLanguageTag());
        message.setHeader("Auto-Submitted", "auto-generated");
        var text = new MimeBodyPart();
        text.setText(mail.text(), "UTF-8", "plain");
        var html = new MimeBodyPart();
        html.setText(mail.html(), "UTF-8", "html");
        var alternative = new MimeMultipart("alternative", text, html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    private void writeToOutbox(Path folder, MimeMessage message) throws IOException, MessagingException {
        Files.createDirectories(folder);
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        Path file = folder.resolve(clock.millis() + "-" + HexFormat.of().formatHex(suffix) + ".eml");
        OwnerOnly.createFile(file);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            message.writeTo(out);
        }
        logger.info("POR-510 mail written to the outbox {} (demo only: nothing was sent)", file.getFileName());
    }
}
