package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Anchor;
import java.util.List;

/**
 * The portal's view of one directory account, from a LOOKUP. Never rendered as such: the portal decides from it
 * whether a reset may start, and mails the code to {@code mail}.
 *
 * @param anchor names exactly this account in later operations
 * @param displayName the directory's display name, may be empty
 * @param enabled whether the account may sign in
 * @param locked whether it is locked out now
 * @param mustChange whether the password must be changed at next logon
 * @param protectedAccount whether writeback refuses it (adminCount=1 unless allowed)
 * @param mail the directory's {@code mail} values, the first one gets the code
 * @param policy the domain's password policy as the agent reports it
 */
public record Account(Anchor anchor, String displayName, boolean enabled, boolean locked, boolean mustChange,
                      boolean protectedAccount, List<String> mail, PasswordPolicy policy) {
    public Account {
        requireNonNull(anchor, "anchor");
        requireNonNull(displayName, "displayName");
        mail = List.copyOf(mail);
        requireNonNull(policy, "policy");
    }

    /** The portal's view of a LOOKUP profile; a profile without a policy gets {@link PasswordPolicy#DEFAULT}. */
    public static Account of(dev.writeback.protocol.AccountProfile profile) {
        var p = profile.policy();
        var policy = p.known() ? new PasswordPolicy(Math.min(p.minLength(), PasswordPolicy.MAX_LENGTH), p.complexity(),
                Math.min(p.history(), 1024)) : PasswordPolicy.DEFAULT;
        return new Account(profile.anchor(), profile.displayName(), profile.enabled(), profile.locked(),
                profile.mustChange(), profile.protectedAccount(), profile.mail(), policy);
    }

    /** Whether a self-service reset may start for this account: enabled, not protected, with a mail address. */
    public boolean eligible() {
        return enabled && !protectedAccount && !mail.isEmpty();
    }

    @Override
    public String toString() {
        return "Account[" + anchor + ", enabled=" + enabled + ", locked=" + locked + ", protected=" + protectedAccount
                + ", mail=" + mail.size() + "]";
    }
}
