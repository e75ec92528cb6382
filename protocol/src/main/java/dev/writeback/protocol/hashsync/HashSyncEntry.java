package dev.writeback.protocol.hashsync;

import static java.util.Objects.requireNonNull;

/**
 * One user in a hash sync batch: anchor, UPN, status, the source's change stamp and, for {@code SUCCESS} only, the
 * PPH1 salt and hash (never the NT hash). {@code toString} shows neither.
 */
public record HashSyncEntry(String anchor, String upn, HashSyncStatus status, long stamp, byte[] salt, byte[] hash) {
    public HashSyncEntry {
        requireNonNull(anchor, "anchor");
        requireNonNull(upn, "upn");
        requireNonNull(status, "status");
        boolean carries = status == HashSyncStatus.SUCCESS;
        if (carries && (salt == null || salt.length != Pph1.SALT_BYTES || hash == null || hash.length != Pph1.HASH_BYTES)) {
            throw new IllegalArgumentException("hash sync entry " + anchor + ": SUCCESS without a "
                    + Pph1.SALT_BYTES + "-byte salt and " + Pph1.HASH_BYTES + "-byte hash");
        }
        if (!carries && (salt != null || hash != null)) {
            throw new IllegalArgumentException("hash sync entry " + anchor + ": " + status + " must carry no hash");
        }
        salt = salt == null ? null : salt.clone();
        hash = hash == null ? null : hash.clone();
    }

    /** A status without a hash. */
    public static HashSyncEntry of(String anchor, String upn, HashSyncStatus status, long stamp) {
        return new HashSyncEntry(anchor, upn, status, stamp, null, null);
    }

    @Override
    public String toString() {
        return "HashSyncEntry[anchor=" + anchor + ", upn=" + upn + ", status=" + status + ", stamp=" + stamp
                + (hash == null ? "" : ", hash=****") + "]";
    }
}
