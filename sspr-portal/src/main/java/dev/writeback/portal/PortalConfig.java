package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.portal.mail.MailSettings;
import java.time.Clock;
import java.time.Duration;

/**
 * What the portal needs besides its store and writeback: the clock, the mail settings tenants without their own
 * use, and how long it waits for writeback.
 *
 * @param clock the time source for sessions, codes and limits (tests pass a fake one)
 * @param globalMail mail settings of tenants that have none, or null
 * @param writebackTimeout how long the portal waits for a writeback answer
 */
public record PortalConfig(Clock clock, MailSettings globalMail, Duration writebackTimeout) {
    /** How long a session lives, from its first page (Entra: 15 min). */
    public static final Duration SESSION_TTL = Duration.ofMinutes(15);
    /** How long an emailed code is valid (Entra: 5 min). */
    public static final Duration CODE_TTL = Duration.ofMinutes(5);

    public PortalConfig {
        requireNonNull(clock, "clock");
        requireNonNull(writebackTimeout, "writebackTimeout");
    }

    /** The system clock, no global mail, a 20 s writeback timeout. */
    public static PortalConfig defaults() {
        return new PortalConfig(Clock.systemUTC(), null, Duration.ofSeconds(20));
    }
}
