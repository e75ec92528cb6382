package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.Entry;

/**
 * An entry of a {@code type: ldap} directory as the anchor search found it, with its ppolicy state.
 *
 * @param dn the entry's DN
 * @param lockedTime {@code pwdAccountLockedTime}, empty when not locked
 * @param mustChange whether {@code pwdReset: TRUE} (the user must change the password at the next bind)
 * @param policyDn {@code pwdPolicySubentry}, empty when the default policy applies
 */
record LdapAccount(String dn, String lockedTime, boolean mustChange, String policyDn) {
    /** Attributes the anchor search reads: operational, so they are asked for by name. */
    static final String[] ATTRIBUTES = {"pwdAccountLockedTime", "pwdReset", "pwdPolicySubentry"};

    /** ppolicy's value for "locked by an administrator until an administrator unlocks it" (slapo-ppolicy(5)). */
    static final String ADMINISTRATIVELY_LOCKED = "000001010000Z";

    static LdapAccount of(Entry entry) {
        String locked = entry.getAttributeValue("pwdAccountLockedTime");
        String policy = entry.getAttributeValue("pwdPolicySubentry");
        return new LdapAccount(entry.getDN(), locked == null ? "" : locked,
                "TRUE".equalsIgnoreCase(entry.getAttributeValue("pwdReset")), policy == null ? "" : policy);
    }

    boolean locked() {
        return !lockedTime.isEmpty();
    }

    /**
     * Locked "permanently" by an administrator: self-service must neither unlock it nor hand it a new password,
     * as with a disabled AD account.
     */
    boolean disabled() {
        return ADMINISTRATIVELY_LOCKED.equals(lockedTime);
    }
}
