package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The relay's persistent state (DESIGN §8): tenants and settings, API and registration tokens (stored as SHA-256
 * hashes), agents, their key versions (package keys sealed by the {@link MasterKey}) and the audit log.
 * Thread-safe; each method is one short transaction. Times are kept to the millisecond. Failures throw
 * {@link StoreException}; invalid arguments throw {@link IllegalArgumentException} or {@link NullPointerException}.
 */
public interface Store extends AutoCloseable {
    /** How long a registration token is valid unless the caller says otherwise (DESIGN §4). */
    Duration DEFAULT_REGISTRATION_TTL = Duration.ofHours(1);

    /** Name of the SQLite store in a data directory. */
    String SQLITE_FILE = SqliteDatabase.FILE;

    /** Whether {@code dataDir} holds a SQLite store (administrative commands refuse to create one by accident). */
    static boolean existsSqlite(Path dataDir) {
        return java.nio.file.Files.isRegularFile(dataDir.resolve(SqliteDatabase.FILE));
    }

    /** Opens {@code dataDir/relay.db} (created {@code rw-------}, WAL mode, busy timeout) and applies migrations. */
    static Store openSqlite(Path dataDir, MasterKey masterKey, Clock clock) throws StoreException {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(masterKey, "masterKey");
        requireNonNull(clock, "clock");
        return JdbcStore.open(SqliteDatabase.open(dataDir), masterKey, clock, new SecureRandom());
    }

    /**
     * Opens the store a relay is configured with: the PostgreSQL database of {@code settings} (shared by the nodes
     * of a cluster; its password from the file or {@code environment} variable it names), or the SQLite file of
     * {@code dataDir} when {@code settings} is null. Migrations are applied either way.
     */
    static Store open(StoreSettings settings, Path dataDir, MasterKey masterKey, Clock clock,
                      java.util.function.Function<String, String> environment) throws StoreException {
        if (settings == null) {
            return openSqlite(dataDir, masterKey, clock);
        }
        requireNonNull(masterKey, "masterKey");
        requireNonNull(clock, "clock");
        return JdbcStore.open(PostgresDatabase.open(settings, environment), masterKey, clock, new SecureRandom());
    }

    /**
     * Replaces what node {@code nodeId} wrote of its agent sessions with {@code rows} (one transaction), so the other
     * nodes can show them.
     */
    void publishSessions(String nodeId, List<SessionRow> rows);

    /** The sessions of a tenant's agents that their nodes wrote at {@code seenAfter} or later, any node. */
    List<SessionRow> sessions(String tenantId, Instant seenAfter);

    /**
     * Takes the lease {@code name} for {@code holder} until {@code now + ttl} when nobody else holds it unexpired (or
     * renews it for the same holder), in one transaction; false when another holder's lease still runs.
     */
    boolean takeLease(String name, String holder, Instant now, Duration ttl);

    /** Creates an enabled tenant with a random UUID id; a name already in use throws CONFLICT. */
    Tenant createTenant(String name);

    /** The tenant with this id, if any. */
    Optional<Tenant> tenant(String tenantId);

    /** Every tenant, by name. */
    List<Tenant> tenants();

    /** Replaces the writeback settings of a tenant and returns it; an unknown tenant throws NOT_FOUND. */
    Tenant updateSettings(String tenantId, boolean enabled, boolean allowUnlockWithoutReset);

    /**
     * Issues a bearer token {@code wb_api_...} with {@code scope} for the REST API of one tenant; its plaintext is
     * returned only here.
     */
    IssuedToken createApiToken(String tenantId, String label, ApiScope scope);

    /** Issues an {@link ApiScope#ADMIN} bearer token for the REST API of one tenant. */
    default IssuedToken createApiToken(String tenantId, String label) {
        return createApiToken(tenantId, label, ApiScope.ADMIN);
    }

    /** Finds an API token by its plaintext (looked up by hash); empty when unknown or revoked. */
    Optional<ApiTokenInfo> findApiToken(String tokenPlaintext);

    /** Revokes an API token of a tenant; returns whether it existed. */
    boolean revokeApiToken(String tenantId, String tokenId);

    /** How long a token's "last used" time may lag: it is written at most this often per token. */
    Duration TOKEN_USE_RESOLUTION = Duration.ofMinutes(1);

    /**
     * Records that an API token was accepted at {@code when}, unless a use less than
     * {@link #TOKEN_USE_RESOLUTION} earlier is already recorded; a revoked token is left alone.
     */
    void recordApiTokenUse(String tokenId, Instant when);

    /** Every API token and registration token of a tenant (used and expired ones too), oldest first. */
    List<TokenInfo> tokens(String tenantId);

    /**
     * Revokes a token of a tenant, API or registration (deleted at once: the next request that presents it gets
     * 401); returns what was revoked, empty when the tenant has no token with this id.
     */
    Optional<TokenInfo> revokeToken(String tenantId, String tokenId);

    /** Issues a one-time agent registration token {@code wb_reg_...} valid for {@code ttl} (at most 30 days). */
    IssuedToken createRegistrationToken(String tenantId, Duration ttl);

    /** Issues a one-time agent registration token valid for {@link #DEFAULT_REGISTRATION_TTL}. */
    default IssuedToken createRegistrationToken(String tenantId) {
        return createRegistrationToken(tenantId, DEFAULT_REGISTRATION_TTL);
    }

    /** Atomically marks a registration token used and returns its tenant id; empty if unknown, used or expired. */
    Optional<String> consumeRegistrationToken(String tokenPlaintext);

    /** Registers an agent with its identity public key (X.509 DER, EC P-256) under a random UUID id. */
    AgentRecord createAgent(String tenantId, String name, byte[] identityPublicKey);

    /**
     * Registers an agent with its first key version in one transaction: no agent is ever stored without a key.
     * {@code packageKey} is stored sealed by the master key; the caller keeps and closes it.
     */
    AgentRecord registerAgent(String tenantId, String name, byte[] identityPublicKey, byte[] rsaPublicKey,
                              dev.writeback.protocol.crypto.PackageKey packageKey);

    /**
     * A key rollover in one transaction: adds {@code packageKey}'s version (above every stored one) and retires the
     * versions below it, to be destroyed after {@code destroyOlderAfter}. Returns the stored version.
     */
    AgentKey rotateKey(String agentId, byte[] rsaPublicKey, dev.writeback.protocol.crypto.PackageKey packageKey,
                       Instant destroyOlderAfter);

    /** The agent with this id, if any. */
    Optional<AgentRecord> agent(String agentId);

    /** Every agent of a tenant, oldest registration first. */
    List<AgentRecord> agents(String tenantId);

    /** Deletes an agent and all its key versions; returns whether it existed. */
    boolean deleteAgent(String agentId);

    /** Records when an agent was last heard from and which version it runs; an unknown agent throws NOT_FOUND. */
    void touchAgent(String agentId, Instant lastSeen, String version);

    /**
     * Adds key version {@code version} (greater than every stored one) with its RSA public key (X.509 DER) and
     * 32-byte package key, which is stored sealed by the master key; the caller keeps and wipes its array.
     */
    void addKeyVersion(String agentId, int version, byte[] rsaPublicKey, byte[] packageKey);

    /** The highest key version of an agent that is not retired. */
    Optional<AgentKey> currentKey(String agentId);

    /** One key version, retired or not, with its package key decrypted (the caller wipes it). */
    Optional<AgentKey> key(String agentId, int version);

    /** Every stored key version of an agent, lowest first. */
    List<AgentKey> keys(String agentId);

    /** Retires the not yet retired versions below {@code version}, which must exist, to be destroyed after a time. */
    void retireKeysBelow(String agentId, int version, Instant destroyAfter);

    /** Deletes retired key versions whose destroy time is at or before {@code now}; returns how many. */
    int destroyRetiredKeys(Instant now);

    /** The self-service portal's state (settings, sessions, limits, code key, audit) in this store. */
    dev.writeback.portal.PortalStore portal();

    /** Password hash sync state (schema V6). */
    dev.writeback.relay.hashsync.HashSyncStore hashSync();

    /** Replaces a tenant's portal settings (the portal is off until they say on). */
    void savePortalSettings(dev.writeback.portal.PortalSettings settings);

    /**
     * Appends an audit record ({@code seq} 0); the store assigns its sequence number. Never pass a password. When
     * the record's request id names an operation with a COMMITTING record ({@link #auditBeforeCommit}), that record
     * is completed instead. Returns once the record is durable; records of concurrent callers share one commit.
     */
    void appendAudit(AuditRecord record);

    /**
     * Remembers what the audit record of an operation about to be submitted says (tenant, request id, actor,
     * operation, anchor) until {@link #auditBeforeCommit}; no I/O. {@link #appendAudit} with the same request id
     * completes it, {@link #dropAuditDraft} forgets it.
     */
    void draftAudit(AuditRecord draft);

    /** Forgets a draft whose operation was never submitted. */
    void dropAuditDraft(String requestId);

    /**
     * Writes the audit record of an operation with result {@code COMMITTING} (from its draft, with
     * {@code agentId}); the future completes once it is durable, and only then may the operation's COMMIT go out.
     * Never blocks: records are group-committed by the store's writer thread.
     */
    java.util.concurrent.CompletableFuture<Void> auditBeforeCommit(String tenantId, String requestId, String agentId,
            String operation, String anchor);

    /** At most {@code limit} (1 to 10,000) audit records of a tenant from {@code since} (inclusive), oldest first. */
    List<AuditRecord> audit(String tenantId, Instant since, int limit);

    /** Deletes audit records older than {@code before} (retention); returns how many. */
    int pruneAudit(Instant before);

    /** Closes the store; later calls throw UNAVAILABLE. Idempotent. */
    @Override
    void close();
}
