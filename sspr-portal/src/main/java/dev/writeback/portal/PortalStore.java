package dev.writeback.portal;

import java.time.Instant;
import java.util.Optional;

/**
 * What the portal keeps: per-tenant settings, server-side sessions, the counters and lockouts of its abuse limits,
 * a key for hashing codes, and its audit trail. In the relay this is the relay's store, so limits hold across
 * restarts (and across nodes later); {@link MemoryPortalStore} serves tests and a portal run on its own.
 *
 * <p>Keys passed in are already hashed by the portal (never a user id, an address or a session id in clear); no
 * code or password ever reaches the store. Blocking: call off the event loop.
 */
public interface PortalStore {
    /** The settings of the tenant with this name, if the tenant exists (settings default to "off"). */
    Optional<PortalSettings> settings(String tenantName);

    /** The settings of the tenant whose own portal hostname is {@code host} (any case, a port ignored), if any. */
    Optional<PortalSettings> settingsByHostname(String host);

    /** A session's serialized state, if it exists and has not expired at {@code now}. */
    Optional<byte[]> session(String sessionKey, Instant now);

    /** Creates or replaces a session's state. */
    void saveSession(String sessionKey, String tenantId, Instant expiresAt, byte[] state);

    /** Deletes a session. */
    void deleteSession(String sessionKey);

    /** Records one event of {@code kind} for {@code key} at {@code at}. */
    void addEvent(String tenantId, String kind, String key, Instant at);

    /** How many events of {@code kind} for {@code key} happened at or after {@code since}. */
    int countEvents(String tenantId, String kind, String key, Instant since);

    /** Forgets every event of {@code kind} for {@code key} (after a successful reset). */
    void clearEvents(String tenantId, String kind, String key);

    /** Locks {@code key} out of the portal until {@code until}. */
    void lock(String tenantId, String key, Instant until);

    /** When {@code key}'s lockout ends, if it is locked at {@code now}. */
    Optional<Instant> lockedUntil(String tenantId, String key, Instant now);

    /** Lifts {@code key}'s lockout. */
    void unlock(String tenantId, String key);

    /** A 32-byte secret the portal hashes codes with; the same across restarts, kept sealed at rest. */
    byte[] codeKey();

    /** Appends one audit record of a portal step. */
    void audit(PortalAudit record);
}
