package dev.writeback.agent.directory;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code lookup:} block of a directory: which attributes a typed user id is matched against, and where the
 * contact data of a LOOKUP answer comes from. Every key is optional; the defaults are Active Directory's names.
 *
 * @param match attributes a typed id may equal (default {@code userPrincipalName}, {@code sAMAccountName},
 *              {@code mail}; for {@code type: ldap} the {@code upnAttribute}, the {@code samAttribute} and
 *              {@code mail}); any one match counts, more than one account is MULTIPLE_MATCHES
 * @param mail attribute the reset code is mailed to (default {@code mail})
 * @param otherMailbox alternate addresses (default {@code otherMailbox})
 * @param mobile mobile numbers (default {@code mobile})
 * @param telephone office numbers (default {@code telephoneNumber})
 */
public record LookupMapping(List<String> match, String mail, String otherMailbox, String mobile, String telephone) {
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+");

    /** The default {@code match} list: Active Directory's names. */
    static final List<String> AD_MATCH = List.of("userPrincipalName", "sAMAccountName", "mail");

    public LookupMapping {
        match = match == null || match.isEmpty() ? AD_MATCH : List.copyOf(match);
        mail = orDefault(mail, "mail");
        otherMailbox = orDefault(otherMailbox, "otherMailbox");
        mobile = orDefault(mobile, "mobile");
        telephone = orDefault(telephone, "telephoneNumber");
    }

    /** All defaults. */
    public static LookupMapping defaults() {
        return new LookupMapping(null, null, null, null, null);
    }

    /**
     * For a {@code type: ldap} directory: the default {@code match} list becomes the attributes its anchors
     * search ({@code upnAttribute}, {@code samAttribute}, then {@code mail}), as AD's names rarely exist there.
     * A configured list is kept as written.
     */
    LookupMapping forLdap(LdapDirectoryConfig ldap) {
        if (match != AD_MATCH) {   // identity: only the default instance, not a configured list equal to it
            return this;
        }
        var names = new java.util.LinkedHashSet<String>();
        names.add(ldap.upnAttribute());
        names.add(ldap.samAttribute());
        names.add("mail");
        return new LookupMapping(List.copyOf(names), mail, otherMailbox, mobile, telephone);
    }

    /** The contact attributes, in the order of the profile. */
    List<String> contactAttributes() {
        return List.of(mail, otherMailbox, mobile, telephone);
    }

    /** Checks every key; {@code key} is this block's path, e.g. {@code directories[0].lookup}. */
    void validate(String key) throws DirectoryConfigException {
        if (match.size() > 8) {
            throw new DirectoryConfigException(key + ".match: " + match.size() + " attributes (expected: 1..8)");
        }
        for (int i = 0; i < match.size(); i++) {
            attribute(key + ".match[" + i + "]", match.get(i));
        }
        attribute(key + ".mail", mail);
        attribute(key + ".otherMailbox", otherMailbox);
        attribute(key + ".mobile", mobile);
        attribute(key + ".telephone", telephone);
    }

    private static void attribute(String key, String value) throws DirectoryConfigException {
        if (value == null || !ATTRIBUTE.matcher(value).matches()) {
            throw new DirectoryConfigException(key + ": " + value + " (expected: an attribute name such as mail)");
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
