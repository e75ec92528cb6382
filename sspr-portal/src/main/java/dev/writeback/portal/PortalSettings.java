package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.portal.mail.MailSettings;
import java.net.URI;

/**
 * One tenant's portal settings, kept in the relay's store and set by the admin REST API or {@code relay portal
 * set}. The portal is off until an administrator turns it on.
 *
 * @param tenantId the tenant's id
 * @param tenantName the tenant's name, the path segment of {@code /sspr/{tenant-name}/}
 * @param enabled whether the portal answers for this tenant
 * @param allowUnlockWithoutReset the tenant's writeback setting: offer "unlock only" next to "reset"
 * @param contact whom users are told to contact (text such as "IT help desk, ext. 1234"), may be empty
 * @param baseUrl the portal's public URL, the only source of links in mail; null: mail carries no link
 * @param codeDigits length of the emailed code, 6 to 8
 * @param captchaBits difficulty of the proof of work, in leading zero bits of SHA-256 (0 turns it off)
 * @param mail this tenant's mail settings, or null for the relay's global ones
 * @param hostname this tenant's own portal hostname (lower case, e.g. {@code password.corp.example}), or null:
 *                 {@code https://hostname/} leads to this tenant's portal, and that host serves no other tenant's
 */
public record PortalSettings(String tenantId, String tenantName, boolean enabled, boolean allowUnlockWithoutReset,
                             String contact, URI baseUrl, int codeDigits, int captchaBits, MailSettings mail,
                             String hostname) {
    /** Default code length. */
    public static final int DEFAULT_CODE_DIGITS = 8;
    /** Default proof-of-work difficulty: about 65,000 hashes, well under a second in a browser. */
    public static final int DEFAULT_CAPTCHA_BITS = 16;
    /** Longest contact text. */
    public static final int MAX_CONTACT_LENGTH = 200;
    private static final java.util.regex.Pattern HOSTNAME = java.util.regex.Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");

    public PortalSettings {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(tenantName, "tenantName");
        requireNonNull(contact, "contact");
        if (contact.length() > MAX_CONTACT_LENGTH) {
            throw new IllegalArgumentException("contact length: " + contact.length() + " (expected: <= "
                    + MAX_CONTACT_LENGTH + ")");
        }
        if (baseUrl != null && (!"https".equals(baseUrl.getScheme()) || baseUrl.getHost() == null)) {
            throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: an https:// URL with a host)");
        }
        if (codeDigits < 6 || codeDigits > 8) {
            throw new IllegalArgumentException("codeDigits: " + codeDigits + " (expected: 6 to 8)");
        }
        if (captchaBits < 0 || captchaBits > 24) {
            throw new IllegalArgumentException("captchaBits: " + captchaBits + " (expected: 0 to 24)");
        }
        hostname = normalHost(hostname);
        if (hostname != null && !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("hostname: " + hostname + " (expected: a DNS name with a dot, such as"
                    + " password.corp.example)");
        }
    }

    /** Settings without an own hostname. */
    public PortalSettings(String tenantId, String tenantName, boolean enabled, boolean allowUnlockWithoutReset,
                          String contact, URI baseUrl, int codeDigits, int captchaBits, MailSettings mail) {
        this(tenantId, tenantName, enabled, allowUnlockWithoutReset, contact, baseUrl, codeDigits, captchaBits, mail, null);
    }

    /**
     * A host name as compared with {@link #hostname()}: lower case, without a trailing dot or a port; null for
     * null or blank. Also used for the request's {@code Host} header and the TLS server name.
     */
    public static String normalHost(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        if (!h.startsWith("[")) {
            int colon = h.lastIndexOf(':');
            if (colon >= 0 && h.indexOf(':') == colon) {
                h = h.substring(0, colon);
            }
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The settings of a tenant nobody configured: portal off, defaults everywhere. */
    public static PortalSettings defaults(String tenantId, String tenantName, boolean allowUnlockWithoutReset) {
        return new PortalSettings(tenantId, tenantName, false, allowUnlockWithoutReset, "", null, DEFAULT_CODE_DIGITS,
                DEFAULT_CAPTCHA_BITS, null);
    }

    /** A copy with the portal turned on or off. */
    public PortalSettings withEnabled(boolean on) {
        return new PortalSettings(tenantId, tenantName, on, allowUnlockWithoutReset, contact, baseUrl, codeDigits,
                captchaBits, mail, hostname);
    }

    /** A copy with another own hostname (null for none). */
    public PortalSettings withHostname(String name) {
        return new PortalSettings(tenantId, tenantName, enabled, allowUnlockWithoutReset, contact, baseUrl, codeDigits,
                captchaBits, mail, name);
    }

    /** A copy with other mail settings. */
    public PortalSettings withMail(MailSettings settings) {
        return new PortalSettings(tenantId, tenantName, enabled, allowUnlockWithoutReset, contact, baseUrl, codeDigits,
                captchaBits, settings, hostname);
    }

    /** A copy with another proof-of-work difficulty. */
    public PortalSettings withCaptchaBits(int bits) {
        return new PortalSettings(tenantId, tenantName, enabled, allowUnlockWithoutReset, contact, baseUrl, codeDigits,
                bits, mail, hostname);
    }
}
