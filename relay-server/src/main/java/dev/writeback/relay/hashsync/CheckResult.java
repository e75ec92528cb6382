package dev.writeback.relay.hashsync;

/** The answer of a cloud password check. */
public enum CheckResult {
    /** The password is the user's current on-premises password. */
    VALID,
    /** It is not. */
    INVALID,
    /** No synced user has this anchor or UPN. */
    UNKNOWN_USER,
    /** The user is known but has no usable hash (must change at next logon, no hash in the source, sync off). */
    NOT_SYNCED,
    /** Too many failed checks for this user; try again later. */
    LOCKED
}
