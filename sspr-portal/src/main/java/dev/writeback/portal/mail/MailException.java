package dev.writeback.portal.mail;

/** A message could not be sent; the text names the transport and server, never the message or the address. */
public final class MailException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MailException(String message, Throwable cause) {
        super(message, cause);
    }
}
