package dev.writeback.agent.directory;

/**
 * The account an anchor resolved to, with the state read in the same search.
 *
 * @param dn the entry's DN
 * @param samAccountName may be null outside AD
 * @param displayName may be null
 * @param adminCount 1 for accounts protected by AdminSDHolder
 * @param userAccountControl the UAC flags
 * @param computedUac {@code msDS-User-Account-Control-Computed} (lockout, password expired)
 * @param pwdLastSet FILETIME of the last password set, 0 when the user must change it
 * @param lockoutTime FILETIME of the lockout, 0 when not locked
 * @param objectGuid the 16-byte objectGUID, null where the directory has none
 * @param upn the userPrincipalName, may be null
 */
record Account(String dn, String samAccountName, String displayName, long adminCount, long userAccountControl,
               long computedUac, long pwdLastSet, long lockoutTime, byte[] objectGuid, String upn) {
    static final long UF_ACCOUNTDISABLE = 0x2;
    static final long UF_LOCKOUT = 0x10;

    /** The anchor hash sync names this account by ({@code guid:} + base64 objectGUID), null without a GUID. */
    String syncAnchor() {
        return objectGuid == null || objectGuid.length != 16 ? null : "guid:" + java.util.Base64.getEncoder().encodeToString(objectGuid);
    }

    boolean isProtected() {
        return adminCount == 1;
    }

    boolean isDisabled() {
        return (userAccountControl & UF_ACCOUNTDISABLE) != 0;
    }

    boolean isLocked() {
        return (computedUac & UF_LOCKOUT) != 0 || lockoutTime > 0;
    }
}
