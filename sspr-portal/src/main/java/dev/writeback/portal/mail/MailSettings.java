package dev.writeback.portal.mail;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Secret;
import java.nio.file.Path;

/**
 * How the portal sends mail: SMTP, or (demo only) an outbox folder of {@code .eml} files.
 *
 * @param transport SMTP or OUTBOX
 * @param host SMTP server (SMTP only)
 * @param port SMTP port: 587 for STARTTLS, 465 for TLS, 25 for none
 * @param security how the SMTP connection is protected
 * @param username SMTP user, empty for no authentication
 * @param password SMTP password (never printed), null without authentication
 * @param from the sender address
 * @param outbox folder the OUTBOX transport writes into (OUTBOX only)
 */
public record MailSettings(Transport transport, String host, int port, Security security, String username,
                           Secret password, String from, Path outbox) {
    public MailSettings {
        requireNonNull(transport, "transport");
        requireNonNull(security, "security");
        username = username == null ? "" : username;
        requireNonNull(from, "from");
        if (!from.contains("@")) {
            throw new IllegalArgumentException("from: " + from + " (expected: a mail address)");
        }
        if (transport == Transport.SMTP) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host: (none) (expected: the SMTP server's name for transport smtp)");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            }
            if (!username.isEmpty() && password == null) {
                throw new IllegalArgumentException("password: (none) (expected: a password when username is set)");
            }
        } else if (outbox == null) {
            throw new IllegalArgumentException("outbox: (none) (expected: a folder for transport outbox)");
        }
    }

    /** An SMTP transport. */
    public static MailSettings smtp(String host, int port, Security security, String username, Secret password,
                                    String from) {
        return new MailSettings(Transport.SMTP, host, port, security, username, password, from, null);
    }

    /** The demo transport: every message becomes an {@code .eml} file in {@code folder}. */
    public static MailSettings outbox(Path folder, String from) {
        return new MailSettings(Transport.OUTBOX, null, 0, Security.NONE, "", null, from, folder);
    }

    /** Where mail goes. */
    public enum Transport {
        SMTP, OUTBOX
    }

    /** How the SMTP connection is protected. */
    public enum Security {
        /** Plain SMTP: only for a relay on the same host or in tests. */
        NONE,
        /** Upgrade with STARTTLS, required (port 587). */
        STARTTLS,
        /** TLS from the first byte (SMTPS, port 465). */
        TLS
    }

    @Override
    public String toString() {
        return transport == Transport.OUTBOX ? "outbox " + outbox + " from " + from
                : "smtp " + host + ":" + port + " " + security + (username.isEmpty() ? "" : " user " + username)
                        + " from " + from;
    }
}
