package dev.writeback.agent.hashsync;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One account as a {@link HashSource} sees it. {@code ntHash} is null when the source holds none for the account;
 * {@code stamp} changes whenever the password does (AD's {@code pwdLastSet}), so a cycle can tell what moved.
 * {@code toString} shows no byte of the hash.
 */
public record SourceUser(String anchor, String upn, byte[] ntHash, boolean mustChange, boolean enabled, long stamp) {
    public SourceUser {
        requireNonNull(anchor, "anchor");
        upn = upn == null ? "" : upn;
        ntHash = ntHash == null ? null : ntHash.clone();
    }

    /** Overwrites the hash bytes this record holds. */
    public void wipe() {
        if (ntHash != null) {
            Arrays.fill(ntHash, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SourceUser[anchor=" + anchor + ", upn=" + upn + ", ntHash=" + (ntHash == null ? "none" : "****")
                + ", mustChange=" + mustChange + ", enabled=" + enabled + ", stamp=" + stamp + "]";
    }
}
