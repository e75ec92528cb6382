package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.Entry;

/**
 * A password policy entry (objectClass {@code pwdPolicy}, draft-behera-ldap-password-policy-10 and
 * slapo-ppolicy(5)) as the agent reports it: only what a portal shows and an operator checks.
 *
 * @param dn the policy entry
 * @param minLength {@code pwdMinLength}
 * @param checkQuality {@code pwdCheckQuality}: 0 none, 1 check when possible, 2 must check
 * @param inHistory {@code pwdInHistory}
 * @param lockout {@code pwdLockout}
 * @param maxFailure {@code pwdMaxFailure}
 * @param lockoutDurationSeconds {@code pwdLockoutDuration}, 0 = until an administrator unlocks
 * @param minAgeSeconds {@code pwdMinAge}
 * @param maxAgeSeconds {@code pwdMaxAge}, 0 = never expires
 * @param mustChange {@code pwdMustChange}
 * @param allowUserChange {@code pwdAllowUserChange} (default TRUE)
 * @param safeModify {@code pwdSafeModify}
 */
record LdapPolicy(String dn, int minLength, int checkQuality, int inHistory, boolean lockout, int maxFailure,
                  long lockoutDurationSeconds, long minAgeSeconds, long maxAgeSeconds, boolean mustChange,
                  boolean allowUserChange, boolean safeModify) {
    static final String[] ATTRIBUTES = {"pwdMinLength", "pwdCheckQuality", "pwdInHistory", "pwdLockout",
        "pwdMaxFailure", "pwdLockoutDuration", "pwdMinAge", "pwdMaxAge", "pwdMustChange", "pwdAllowUserChange",
        "pwdSafeModify"};

    static LdapPolicy of(Entry entry) {
        return new LdapPolicy(entry.getDN(), (int) number(entry, "pwdMinLength"), (int) number(entry, "pwdCheckQuality"),
                (int) number(entry, "pwdInHistory"), flag(entry, "pwdLockout", false), (int) number(entry, "pwdMaxFailure"),
                number(entry, "pwdLockoutDuration"), number(entry, "pwdMinAge"), number(entry, "pwdMaxAge"),
                flag(entry, "pwdMustChange", false), flag(entry, "pwdAllowUserChange", true),
                flag(entry, "pwdSafeModify", false));
    }

    /** One line for the heartbeat and the log, e.g. {@code minLength=8 history=5 lockoutAfter=3 minAge=0s}. */
    String summary() {
        return "minLength=" + minLength + " quality=" + checkQuality + " history=" + inHistory
                + " lockoutAfter=" + (lockout ? maxFailure : 0) + " lockoutDuration=" + lockoutDurationSeconds + "s"
                + " minAge=" + minAgeSeconds + "s maxAge=" + maxAgeSeconds + "s mustChange=" + mustChange
                + " allowUserChange=" + allowUserChange + " safeModify=" + safeModify;
    }

    private static long number(Entry entry, String attribute) {
        Long value = entry.getAttributeValueAsLong(attribute);
        return value == null ? 0 : value;
    }

    private static boolean flag(Entry entry, String attribute, boolean absent) {
        Boolean value = entry.getAttributeValueAsBoolean(attribute);
        return value == null ? absent : value;
    }
}
