package dev.writeback.portal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The portal's abuse limits, Entra's numbers (next-features §A.2): 5 failed verifications in 24 h, or 10 codes
 * mailed in 10 min, lock that user id out of the portal for 24 h; a source address is limited too. Kept in the
 * store, so they hold across restarts; counted the same for every user id, real or not, so they reveal nothing.
 * The portal never binds as the user, so it never causes a directory lockout.
 */
final class Limits {
    static final int MAX_FAILED_VERIFICATIONS = 5;
    static final Duration FAILED_WINDOW = Duration.ofHours(24);
    static final int MAX_MAILS = 10;
    static final Duration MAIL_WINDOW = Duration.ofMinutes(10);
    static final Duration USER_LOCKOUT = Duration.ofHours(24);
    static final int MAX_ADDRESS_STARTS = 30;
    static final Duration ADDRESS_START_WINDOW = Duration.ofMinutes(10);
    static final int MAX_ADDRESS_FAILURES = 20;
    static final Duration ADDRESS_LOCKOUT = Duration.ofHours(1);

    static final String FAILED = "verify-failed";
    static final String MAILED = "code-mailed";
    static final String ADDRESS_START = "address-start";
    static final String ADDRESS_FAILED = "address-failed";

    private final PortalStore store;
    private final Clock clock;

    Limits(PortalStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** When the key's lockout ends, if it is locked now. */
    Optional<Instant> locked(String tenantId, String key) {
        return store.lockedUntil(tenantId, key, clock.instant());
    }

    /** Counts a start from an address; false (and the address locked) when it made too many. */
    boolean startFrom(String tenantId, String addressKey) {
        Instant now = clock.instant();
        store.addEvent(tenantId, ADDRESS_START, addressKey, now);
        if (store.countEvents(tenantId, ADDRESS_START, addressKey, now.minus(ADDRESS_START_WINDOW)) > MAX_ADDRESS_STARTS) {
            store.lock(tenantId, addressKey, now.plus(ADDRESS_LOCKOUT));
            return false;
        }
        return true;
    }

    /** Counts a code about to be mailed; false (and the user locked) when this would be one too many. */
    boolean mail(String tenantId, String userKey) {
        Instant now = clock.instant();
        if (store.countEvents(tenantId, MAILED, userKey, now.minus(MAIL_WINDOW)) >= MAX_MAILS) {
            store.lock(tenantId, userKey, now.plus(USER_LOCKOUT));
            return false;
        }
        store.addEvent(tenantId, MAILED, userKey, now);
        return true;
    }

    /** Counts a failed verification; returns the attempts left (0: the user is now locked). */
    int failed(String tenantId, String userKey, String addressKey) {
        Instant now = clock.instant();
        store.addEvent(tenantId, FAILED, userKey, now);
        store.addEvent(tenantId, ADDRESS_FAILED, addressKey, now);
        if (store.countEvents(tenantId, ADDRESS_FAILED, addressKey, now.minus(FAILED_WINDOW)) >= MAX_ADDRESS_FAILURES) {
            store.lock(tenantId, addressKey, now.plus(ADDRESS_LOCKOUT));
        }
        int failures = store.countEvents(tenantId, FAILED, userKey, now.minus(FAILED_WINDOW));
        if (failures >= MAX_FAILED_VERIFICATIONS) {
            store.lock(tenantId, userKey, now.plus(USER_LOCKOUT));
            return 0;
        }
        return MAX_FAILED_VERIFICATIONS - failures;
    }

    /** After a successful reset or unlock: the user's counters start over (Entra does the same). */
    void succeeded(String tenantId, String userKey) {
        store.clearEvents(tenantId, FAILED, userKey);
        store.clearEvents(tenantId, MAILED, userKey);
        store.unlock(tenantId, userKey);
    }
}
