package dev.writeback.protocol;

/**
 * Active Directory's five character categories for password complexity (MS-SAMR 3.1.1.7.2, "Password must meet
 * complexity requirements"): upper case, lower case, base-10 digits, the listed special characters, and letters
 * that are neither upper nor lower case (most Asian scripts, Hangul among them). Currency symbols and other
 * characters count in none. The embedded directory enforces three of five; the portal checks the same before a
 * password leaves it.
 */
public final class PasswordCategories {
    /** The special characters AD counts, space included. */
    public static final String SPECIAL = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/ ";

    private PasswordCategories() {}

    /** How many of the five categories {@code password} uses (0..5); reads the array in place. */
    public static int count(char[] password) {
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        boolean special = false;
        boolean otherLetter = false;
        for (char c : password) {
            if (Character.isUpperCase(c)) {
                upper = true;
            } else if (Character.isLowerCase(c)) {
                lower = true;
            } else if (Character.isDigit(c)) {
                digit = true;
            } else if (SPECIAL.indexOf(c) >= 0) {
                special = true;
            } else if (Character.isLetter(c)) {
                otherLetter = true;
            }
        }
        return (upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) + (special ? 1 : 0) + (otherLetter ? 1 : 0);
    }
}
