package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Names exactly one directory account: {@code guid:}, {@code upn:}, {@code sam:} or {@code dn:} followed by
 * the value. A {@code guid:} value is an objectGUID / ms-DS-ConsistencyGuid as base64 of the 16 raw bytes
 * (the cloud ImmutableId) or as UUID text. {@code id:} carries a user id as a person typed it (UPN,
 * sAMAccountName or mail) and is accepted only by LOOKUP.
 */
public record Anchor(Type type, String value) {
    /** Longest anchor text accepted (a DN can be long, but not unbounded). */
    public static final int MAX_LENGTH = 1024;

    /** The kinds of anchor. */
    public enum Type {
        GUID, UPN, SAM, DN,
        /** A user id as typed; only a LOOKUP carries it. */
        ID;

        String prefix() {
            return name().toLowerCase(Locale.ROOT) + ":";
        }
    }

    public Anchor {
        requireNonNull(type, "type");
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("anchor: " + type.prefix() + " (expected: a value after the prefix)");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("anchor length: " + value.length() + " (expected: <= " + MAX_LENGTH + ")");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException("anchor: contains a control character (expected: printable text)");
            }
        }
    }

    /**
     * Parses {@code type:value}, for example {@code upn:ada@corp.example}. {@code uid:} is another name for
     * {@code sam:} (the account's short login name: {@code sAMAccountName} in AD, {@code uid} in an LDAP directory)
     * and is parsed as it.
     */
    public static Anchor parse(String text) {
        requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("anchor: missing type prefix (expected: guid:, upn:, sam: (or uid:), dn: or id:)");
        }
        String prefix = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (prefix.equals("uid")) {
            return new Anchor(Type.SAM, text.substring(colon + 1).strip());
        }
        for (Type type : Type.values()) {
            if (type.name().toLowerCase(Locale.ROOT).equals(prefix)) {
                return new Anchor(type, text.substring(colon + 1).strip());
            }
        }
        throw new IllegalArgumentException("anchor type: " + abbreviate(prefix) + " (expected: guid, upn, sam, uid, dn or id)");
    }

    private static String abbreviate(String s) {
        return s.length() <= 16 ? s : s.substring(0, 16) + "...";
    }

    @Override
    public String toString() {
        return type.prefix() + value;
    }
}
