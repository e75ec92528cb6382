package dev.writeback.agent.embedded;

import dev.writeback.protocol.PasswordCategories;
import java.util.Locale;

/**
 * Active Directory's password complexity rule (MS-SAMR 3.1.1.7.2): characters from at least three of five
 * categories, and neither the sAMAccountName nor a displayName token of three or more characters. The
 * embedded directory enforces it; the directory writer uses it to name the rule a domain controller broke.
 */
public final class AdPasswordRules {
    private static final String NAME_DELIMITERS = "[,.\\-_#\\t ]+";

    private AdPasswordRules() {}

    /** Whether the password meets AD complexity for an account with these names (either may be null). */
    public static boolean meetsComplexity(char[] password, String samAccountName, String displayName) {
        if (PasswordCategories.count(password) < 3) {
            return false;
        }
        if (containsName(password, samAccountName)) {
            return false;
        }
        if (displayName != null) {
            for (String token : displayName.split(NAME_DELIMITERS)) {
                if (containsName(password, token)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether {@code name} (three characters or more) occurs in the password, ignoring case. Compares characters in
     * place: no String is made from the password.
     */
    private static boolean containsName(char[] password, String name) {
        if (name == null || name.length() < 3 || name.length() > password.length) {
            return false;
        }
        String lowerName = name.toLowerCase(Locale.ROOT);
        for (int start = 0; start + lowerName.length() <= password.length; start++) {
            int i = 0;
            while (i < lowerName.length() && Character.toLowerCase(password[start + i]) == lowerName.charAt(i)) {
                i++;
            }
            if (i == lowerName.length()) {
                return true;
            }
        }
        return false;
    }
}
