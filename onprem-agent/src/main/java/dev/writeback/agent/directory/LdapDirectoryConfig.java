package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code ldap:} block of a {@code type: ldap} directory (OpenLDAP ppolicy, 389 Directory Server): which
 * attributes the anchors search, which accounts are protected, how a change is made and where the default
 * password policy lives. Every key is optional.
 *
 * @param upnAttribute attribute searched for {@code upn:} anchors (default {@code mail})
 * @param samAttribute attribute searched for {@code sam:} and {@code uid:} anchors (default {@code uid})
 * @param guidAttribute attribute searched for {@code guid:} anchors, UUID text (default {@code entryUUID})
 * @param protectedFilter LDAP filter naming protected accounts, e.g. {@code (memberOf=cn=admins,ou=groups,dc=...)};
 *                        empty for none
 * @param changeAs {@code user} (default): a change binds as the user with the current password, so lockout,
 *                 {@code pwdAllowUserChange} and {@code pwdSafeModify} apply as on any logon; {@code service}: the
 *                 service account sends the password modify with the old password
 * @param defaultPolicyDn the default password policy entry ({@code ppolicy_default}), read for the heartbeat;
 *                        empty to report only what entries name in {@code pwdPolicySubentry}
 */
public record LdapDirectoryConfig(String upnAttribute, String samAttribute, String guidAttribute,
                                  String protectedFilter, String changeAs, String defaultPolicyDn) {
    /** {@code changeAs: user}. */
    public static final String CHANGE_AS_USER = "user";
    /** {@code changeAs: service}. */
    public static final String CHANGE_AS_SERVICE = "service";

    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+");

    public LdapDirectoryConfig {
        upnAttribute = orDefault(upnAttribute, "mail");
        samAttribute = orDefault(samAttribute, "uid");
        guidAttribute = orDefault(guidAttribute, "entryUUID");
        protectedFilter = protectedFilter == null ? "" : protectedFilter.strip();
        changeAs = orDefault(changeAs, CHANGE_AS_USER).toLowerCase(Locale.ROOT);
        defaultPolicyDn = defaultPolicyDn == null ? "" : defaultPolicyDn.strip();
    }

    /** All defaults: {@code mail}, {@code uid}, {@code entryUUID}, no protected filter, change as the user. */
    public static LdapDirectoryConfig defaults() {
        return new LdapDirectoryConfig(null, null, null, null, null, null);
    }

    /** Whether a change binds as the user (else the service account sends the old password). */
    boolean changeAsUser() {
        return CHANGE_AS_USER.equals(changeAs);
    }

    /** The protected filter, parsed; null when none is configured. */
    Filter protectedAccounts() {
        try {
            return protectedFilter.isEmpty() ? null : Filter.create(protectedFilter);
        } catch (LDAPException e) {
            throw new IllegalStateException("protectedFilter: not validated", e);
        }
    }

    /** Checks every key; {@code key} is this block's path, e.g. {@code directories[0].ldap}. */
    void validate(String key) throws DirectoryConfigException {
        attribute(key + ".upnAttribute", upnAttribute);
        attribute(key + ".samAttribute", samAttribute);
        attribute(key + ".guidAttribute", guidAttribute);
        if (!protectedFilter.isEmpty()) {
            try {
                Filter.create(protectedFilter);
            } catch (LDAPException e) {
                throw new DirectoryConfigException(key + ".protectedFilter: " + protectedFilter
                        + " (expected: an LDAP filter such as (memberOf=cn=admins,ou=groups,dc=example,dc=com))", e);
            }
        }
        if (!CHANGE_AS_USER.equals(changeAs) && !CHANGE_AS_SERVICE.equals(changeAs)) {
            throw new DirectoryConfigException(key + ".changeAs: " + changeAs + " (expected: user or service)");
        }
        if (!defaultPolicyDn.isEmpty()) {
            try {
                new DN(defaultPolicyDn);
            } catch (LDAPException e) {
                throw new DirectoryConfigException(key + ".defaultPolicyDn: " + defaultPolicyDn
                        + " (expected: a distinguished name)", e);
            }
        }
    }

    private static void attribute(String key, String value) throws DirectoryConfigException {
        if (!ATTRIBUTE.matcher(value).matches()) {
            throw new DirectoryConfigException(key + ": " + value + " (expected: an attribute name such as uid)");
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
