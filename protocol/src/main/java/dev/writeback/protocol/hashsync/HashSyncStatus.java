package dev.writeback.protocol.hashsync;

/** Per-user result of password hash sync, named after the statuses Entra Connect reports. Values are never reused. */
public enum HashSyncStatus {
    /** The PPH1 value was synced and is stored. */
    SUCCESS(1),
    /** The user must change the password at next logon: the temporary password stays on-premises. */
    FILTERED_BY_TARGET(2),
    /** The user is gone from the source (deleted or out of scope); the relay deletes what it holds. */
    SOURCE_NOT_PRESENT(3),
    /** The relay has no hash sync for this tenant (disabled). */
    NO_TARGET(4),
    /** The source holds no NT hash for the user (never set, or not readable). */
    MISSING_ATTRIBUTE(5),
    /** The sync failed; the agent retries in the next cycle. */
    ERROR(6);

    private final int wireValue;

    HashSyncStatus(int wireValue) {
        this.wireValue = wireValue;
    }

    /** The value written on the wire (one byte). */
    public int wireValue() {
        return wireValue;
    }

    /** Finds the status for a wire value. */
    public static HashSyncStatus ofWireValue(int value) {
        for (HashSyncStatus s : values()) {
            if (s.wireValue == value) {
                return s;
            }
        }
        throw new IllegalArgumentException("hash sync status: " + value + " (expected: 1.." + values().length + ")");
    }
}
