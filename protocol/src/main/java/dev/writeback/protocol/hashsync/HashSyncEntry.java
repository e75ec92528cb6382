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

    /** Bytes this entry takes inside a sealed HASH_SYNC body, for packing batches. */
    public int wireBytes() {
        return 2 + anchor.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + 2 + upn.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + 1 + 8 + (hash == null ? 0 : Pph1.SALT_BYTES + Pph1.HASH_BYTES);
    }

    /** Overwrites the salt and hash bytes this entry holds. */
    public void wipe() {
        if (hash != null) {
            java.util.Arrays.fill(hash, (byte) 0);
            java.util.Arrays.fill(salt, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "HashSyncEntry[anchor=" + anchor + ", upn=" + upn + ", status=" + status + ", stamp=" + stamp
                + (hash == null ? "" : ", hash=****") + "]";
    }
}
