package dev.writeback.portal;

import dev.writeback.protocol.Secret;

/**
 * The domain's password rules as the agent reports them, shown before the user types and checked in the page
 * before submitting. The directory stays the judge: its answer is what the result page shows.
 *
 * @param minLength fewest characters
 * @param complexity whether AD complexity applies: three of upper case, lower case, digits and symbols
 * @param history how many previous passwords are remembered (0 = none)
 */
public record PasswordPolicy(int minLength, boolean complexity, int history) {
    /** What the portal assumes when the directory reports no policy: AD's defaults. */
    public static final PasswordPolicy DEFAULT = new PasswordPolicy(7, true, 24);
    /** Longest password the portal accepts (AD's own limit is 256). */
    public static final int MAX_LENGTH = 256;

    public PasswordPolicy {
        if (minLength < 0 || minLength > MAX_LENGTH) {
            throw new IllegalArgumentException("minLength: " + minLength + " (expected: 0.." + MAX_LENGTH + ")");
        }
        if (history < 0 || history > 1024) {
            throw new IllegalArgumentException("history: " + history + " (expected: 0..1024)");
        }
    }

    /** The first rule {@code password} breaks, or null; {@code confirm} must match too. */
    public Rule check(Secret password, Secret confirm) {
        if (password.length() < minLength) {
            return Rule.TOO_SHORT;
        }
        if (password.length() > MAX_LENGTH) {
            return Rule.TOO_LONG;
        }
        if (complexity && categories(password) < 3) {
            return Rule.COMPLEXITY;
        }
        if (!password.sameAs(confirm)) {
            return Rule.MISMATCH;
        }
        return null;
    }

    private static int categories(Secret password) {
        char[] chars = password.reveal();
        try {
            return dev.writeback.protocol.PasswordCategories.count(chars);   // as AD counts them
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** A rule the page checks before the password leaves the portal. */
    public enum Rule {
        TOO_SHORT, TOO_LONG, COMPLEXITY, MISMATCH
    }
}
