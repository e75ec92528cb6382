package dev.writeback.agent.directory;

/**
 * The LDAP_SERVER_POLICY_HINTS control: sent with an administrative reset, it makes Active Directory apply password
 * history and minimum age as on a user's change (docs/active-directory.md). Windows Server 2016 and later and Samba
 * list the current OID; older servers only the deprecated one. The writers send it; the embedded directory lists
 * and honours both, as AD does.
 */
public final class PolicyHints {
    /** LDAP_SERVER_POLICY_HINTS_OID. */
    public static final String OID = "1.2.840.113556.1.4.2239";
    /** LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID. */
    public static final String DEPRECATED_OID = "1.2.840.113556.1.4.2066";

    private PolicyHints() {}

    /** Whether {@code oid} is either form of the control. */
    public static boolean is(String oid) {
        return OID.equals(oid) || DEPRECATED_OID.equals(oid);
    }
}
