package dev.writeback.agent.embedded;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes the read-check-write sequences on one entry (password history and policy, bad-password counting):
 * a fixed set of re-entrant locks chosen by the normalized DN, so there is nothing to clean up. Entries that share
 * a lock only wait for each other. A waiter gives up after {@link #MAX_WAIT} with BUSY rather than hang.
 */
final class EntryLocks {
    static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final int STRIPES = 64;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    EntryLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Locks {@code dn}'s entry and returns the lock; the caller unlocks it in a {@code finally}. */
    ReentrantLock lock(String dn) throws LDAPException {
        ReentrantLock lock = locks[Math.floorMod(new DN(dn).toNormalizedString().hashCode(), STRIPES)];
        try {
            if (!lock.tryLock(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LDAPException(ResultCode.BUSY, "00002024: the entry is busy with another password write, try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LDAPException(ResultCode.UNAVAILABLE, "00002024: interrupted while waiting for the entry", e);
        }
        return lock;
    }
}
