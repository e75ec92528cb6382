package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The answer to a LOOKUP, sealed like every result: the account a typed user id named inside the agent's scopes,
 * its state, its contact data and the directory's password policy. It is for the portal's decisions (may a reset
 * start, where does the code go); it is never shown to the person who typed the id. {@link #toString()} prints
 * counts, never contact data.
 *
 * @param anchor names exactly this account in later operations ({@code guid:} when the directory has one, else {@code dn:})
 * @param displayName the directory's display name, may be empty
 * @param enabled whether the account may sign in
 * @param locked whether it is locked out now
 * @param mustChange whether the password must be changed at next logon
 * @param protectedAccount whether writeback refuses it (adminCount=1 and protected accounts not allowed)
 * @param mail the directory's {@code mail} values
 * @param otherMailbox alternate addresses
 * @param mobile mobile numbers
 * @param telephone office numbers
 * @param policy the directory's password policy, {@link Policy#UNKNOWN} when the agent reads none
 */
public record AccountProfile(Anchor anchor, String displayName, boolean enabled, boolean locked, boolean mustChange,
                             boolean protectedAccount, List<String> mail, List<String> otherMailbox, List<String> mobile,
                             List<String> telephone, Policy policy) {
    /** Most values a profile carries per contact attribute. */
    public static final int MAX_VALUES = 16;

    public AccountProfile {
        requireNonNull(anchor, "anchor");
        requireNonNull(displayName, "displayName");
        mail = bounded(mail, "mail");
        otherMailbox = bounded(otherMailbox, "otherMailbox");
        mobile = bounded(mobile, "mobile");
        telephone = bounded(telephone, "telephone");
        requireNonNull(policy, "policy");
        if (anchor.type() == Anchor.Type.ID) {
            throw new IllegalArgumentException("anchor type: ID (expected: an anchor naming one account)");
        }
    }

    private static List<String> bounded(List<String> values, String field) {
        List<String> copy = List.copyOf(values);
        if (copy.size() > MAX_VALUES) {
            throw new IllegalArgumentException(field + ": " + copy.size() + " values (expected: <= " + MAX_VALUES + ")");
        }
        return copy;
    }

    /**
     * The password rules as the directory states them.
     *
     * @param known whether the agent read a policy at all
     * @param minLength fewest characters
     * @param complexity whether AD complexity applies (three of four character classes, not the account name)
     * @param history how many previous passwords are remembered
     */
    public record Policy(boolean known, int minLength, boolean complexity, int history) {
        /** No policy read. */
        public static final Policy UNKNOWN = new Policy(false, 0, false, 0);

        public Policy {
            if (minLength < 0 || minLength > 0xffff || history < 0 || history > 0xffff) {
                throw new IllegalArgumentException("policy: minLength " + minLength + ", history " + history
                        + " (expected: 0..65535)");
            }
        }
    }

    @Override
    public String toString() {
        return "AccountProfile[" + LogSafe.of(anchor) + ", enabled=" + enabled + ", locked=" + locked + ", mustChange="
                + mustChange + ", protected=" + protectedAccount + ", mail=" + mail.size() + ", otherMailbox="
                + otherMailbox.size() + ", mobile=" + mobile.size() + ", telephone=" + telephone.size() + ", " + policy + "]";
    }
}
