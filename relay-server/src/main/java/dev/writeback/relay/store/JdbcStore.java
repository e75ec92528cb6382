package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Store} over standard SQL and plain JDBC; the dialect-specific parts are the {@link Database} and scripts. */
final class JdbcStore implements Store {
    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_VERSION_LENGTH = 64;
    static final int MAX_PUBLIC_KEY_BYTES = 4096;
    static final int MAX_AUDIT_PAGE = 10_000;
    static final Duration MAX_REGISTRATION_TTL = Duration.ofDays(30);

    private static final Logger logger = LoggerFactory.getLogger(JdbcStore.class);
    private static final String TENANT_COLUMNS = "id, name, enabled, allow_unlock_without_reset, created_at";
    private static final String AGENT_COLUMNS =
            "id, tenant_id, name, identity_public_key, registered_at, last_seen, last_version";
    private static final String MASTER_KEY_CHECK = "master_key_check";

    private final Database db;
    private final MasterKey masterKey;
    private final Clock clock;
    private final Tokens tokens;
    private final KeyVersions keyVersions;
    private final GroupCommit auditWriter;
    private final AuditLog auditLog;
    private final OperationAudits operationAudits;
    private final JdbcPortalStore portal;
    private final JdbcHashSyncStore hashSync;

    private JdbcStore(Database db, MasterKey masterKey, Clock clock, SecureRandom random) {
        this.db = db;
        this.masterKey = masterKey;
        this.clock = clock;
        this.tokens = new Tokens(random);
        this.keyVersions = new KeyVersions(db, masterKey, this::now);
        this.auditWriter = new GroupCommit(db::transaction, "relay-audit-writer");
        this.auditLog = new AuditLog(db, auditWriter);
        this.operationAudits = new OperationAudits(auditLog, clock);
        this.portal = new JdbcPortalStore(db, masterKey, auditLog, random, this::now);
        this.hashSync = new JdbcHashSyncStore(db);
    }

    /** Migrates the database, checks the master key against it and returns the store; closes it on failure. */
    static JdbcStore open(Database db, MasterKey masterKey, Clock clock, SecureRandom random) {
        JdbcStore store = null;
        try {
            int schema = Migrations.apply(db, clock);
            store = new JdbcStore(db, masterKey, clock, random);
            db.transaction(store::checkMasterKey);
            logger.info("Store open: {} at schema version {}, package keys sealed by {}", db.name(), schema, masterKey);
            return store;
        } catch (RuntimeException e) {
            if (store != null) {
                store.auditWriter.close();
            }
            db.close();
            throw e;
        }
    }

    // ---- tenants

    @Override
    public Tenant createTenant(String name) {
        checkName(name, "tenant name");
        var tenant = new Tenant(UUID.randomUUID().toString(), name, true, false, now());
        return db.transaction(c -> {
            if (Sql.exists(c, "SELECT id FROM tenant WHERE name = ?", name)) {
                throw new StoreException(StoreException.Kind.CONFLICT,
                        "tenant name: " + name + " (expected: unique, a tenant with this name exists)");
            }
            Sql.update(c, "INSERT INTO tenant (" + TENANT_COLUMNS + ") VALUES (?, ?, ?, ?, ?)",
                    tenant.id(), name, true, false, tenant.createdAt());
            return tenant;
        });
    }

    @Override
    public Optional<Tenant> tenant(String tenantId) {
        requireNonNull(tenantId, "tenantId");
        return db.transaction(c -> findTenant(c, tenantId));
    }

    @Override
    public List<Tenant> tenants() {
        return db.transaction(c -> Sql.list(c, "SELECT " + TENANT_COLUMNS + " FROM tenant ORDER BY name",
                JdbcStore::tenantRow));
    }

    @Override
    public Tenant updateSettings(String tenantId, boolean enabled, boolean allowUnlockWithoutReset) {
        requireNonNull(tenantId, "tenantId");
        return db.transaction(c -> {
            Sql.update(c, "UPDATE tenant SET enabled = ?, allow_unlock_without_reset = ? WHERE id = ?",
                    enabled, allowUnlockWithoutReset, tenantId);
            return findTenant(c, tenantId).orElseThrow(() -> tenantNotFound(tenantId));
        });
    }

    // ---- tokens

    @Override
    public IssuedToken createApiToken(String tenantId, String label, ApiScope scope) {
        requireNonNull(tenantId, "tenantId");
        checkName(label, "token label");
        requireNonNull(scope, "scope");
        String plaintext = tokens.generate(Tokens.API_PREFIX);
        var token = new IssuedToken(UUID.randomUUID().toString(), tenantId, plaintext, null);
        return db.transaction(c -> {
            requireTenant(c, tenantId);
            Sql.update(c, "INSERT INTO api_token (id, tenant_id, token_hash, label, scope, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", token.id(), tenantId, Tokens.hash(plaintext), label, scope.wire(),
                    now());
            return token;
        });
    }

    @Override
    public Optional<ApiTokenInfo> findApiToken(String tokenPlaintext) {
        if (!Tokens.plausible(tokenPlaintext, Tokens.API_PREFIX)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(tokenPlaintext);
        return db.transaction(c -> Sql.one(c,
                "SELECT id, tenant_id, label, scope, created_at, last_used_at FROM api_token WHERE token_hash = ?",
                JdbcStore::apiTokenRow, hash));
    }

    @Override
    public boolean revokeApiToken(String tenantId, String tokenId) {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(tokenId, "tokenId");
        return db.transaction(c -> Sql.update(c, "DELETE FROM api_token WHERE id = ? AND tenant_id = ?",
                tokenId, tenantId) > 0);
    }

    @Override
    public void recordApiTokenUse(String tokenId, Instant when) {
        requireNonNull(tokenId, "tokenId");
        requireNonNull(when, "when");
        Instant at = when.truncatedTo(ChronoUnit.MILLIS);
        db.transaction(c -> Sql.update(c, "UPDATE api_token SET last_used_at = ?"
                + " WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)", at, tokenId,
                at.minus(TOKEN_USE_RESOLUTION)));
    }

    @Override
    public List<TokenInfo> tokens(String tenantId) {
        requireNonNull(tenantId, "tenantId");
        return db.transaction(c -> {
            var all = new java.util.ArrayList<TokenInfo>(Sql.list(c, "SELECT id, tenant_id, label, scope, created_at,"
                    + " last_used_at FROM api_token WHERE tenant_id = ?", JdbcStore::apiTokenListRow, tenantId));
            all.addAll(Sql.list(c, "SELECT id, tenant_id, created_at, expires_at, used_at FROM registration_token"
                    + " WHERE tenant_id = ?", JdbcStore::registrationTokenRow, tenantId));
            all.sort(java.util.Comparator.comparing(TokenInfo::createdAt).thenComparing(TokenInfo::id));
            return List.copyOf(all);
        });
    }

    @Override
    public Optional<TokenInfo> revokeToken(String tenantId, String tokenId) {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(tokenId, "tokenId");
        return db.transaction(c -> {
            Optional<TokenInfo> api = Sql.one(c, "SELECT id, tenant_id, label, scope, created_at, last_used_at"
                    + " FROM api_token WHERE id = ? AND tenant_id = ?", JdbcStore::apiTokenListRow, tokenId, tenantId);
            if (api.isPresent()) {
                Sql.update(c, "DELETE FROM api_token WHERE id = ? AND tenant_id = ?", tokenId, tenantId);
                return api;
            }
            Optional<TokenInfo> registration = Sql.one(c, "SELECT id, tenant_id, created_at, expires_at, used_at"
                    + " FROM registration_token WHERE id = ? AND tenant_id = ?", JdbcStore::registrationTokenRow,
                    tokenId, tenantId);
            if (registration.isPresent()) {
                Sql.update(c, "DELETE FROM registration_token WHERE id = ? AND tenant_id = ?", tokenId, tenantId);
            }
            return registration;
        });
    }

    @Override
    public IssuedToken createRegistrationToken(String tenantId, Duration ttl) {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_REGISTRATION_TTL) > 0) {
            throw new IllegalArgumentException("registration token ttl: " + ttl + " (expected: > 0 and <= "
                    + MAX_REGISTRATION_TTL + ")");
        }
        String plaintext = tokens.generate(Tokens.REGISTRATION_PREFIX);
        Instant created = now();
        var token = new IssuedToken(UUID.randomUUID().toString(), tenantId, plaintext, created.plus(ttl));
        return db.transaction(c -> {
            requireTenant(c, tenantId);
            Sql.update(c, "INSERT INTO registration_token (id, tenant_id, token_hash, created_at, expires_at)"
                    + " VALUES (?, ?, ?, ?, ?)", token.id(), tenantId, Tokens.hash(plaintext), created,
                    token.expiresAt());
            return token;
        });
    }

    @Override
    public Optional<String> consumeRegistrationToken(String tokenPlaintext) {
        if (!Tokens.plausible(tokenPlaintext, Tokens.REGISTRATION_PREFIX)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(tokenPlaintext);
        Instant now = now();
        return db.transaction(c -> {
            // The conditional update is the atomic step: of two concurrent callers only one changes the row.
            int used = Sql.update(c, "UPDATE registration_token SET used_at = ?"
                    + " WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?", now, hash, now);
            if (used == 0) {
                return Optional.empty();
            }
            return Sql.one(c, "SELECT tenant_id FROM registration_token WHERE token_hash = ?",
                    rows -> rows.getString(1), hash);
        });
    }

    // ---- agents

    @Override
    public AgentRecord createAgent(String tenantId, String name, byte[] identityPublicKey) {
        requireNonNull(tenantId, "tenantId");
        checkName(name, "agent name");
        checkPublicKey(identityPublicKey, "identity public key");
        var agent = new AgentRecord(UUID.randomUUID().toString(), tenantId, name, identityPublicKey, now(), null, null);
        return db.transaction(c -> {
            requireTenant(c, tenantId);
            Sql.update(c, "INSERT INTO agent (id, tenant_id, name, identity_public_key, registered_at)"
                    + " VALUES (?, ?, ?, ?, ?)", agent.id(), tenantId, name, identityPublicKey, agent.registeredAt());
            return agent;
        });
    }

    @Override
    public AgentRecord registerAgent(String tenantId, String name, byte[] identityPublicKey, byte[] rsaPublicKey,
                                     dev.writeback.protocol.crypto.PackageKey packageKey) {
        requireNonNull(tenantId, "tenantId");
        checkName(name, "agent name");
        checkPublicKey(identityPublicKey, "identity public key");
        var agent = new AgentRecord(UUID.randomUUID().toString(), tenantId, name, identityPublicKey, now(), null, null);
        byte[] raw = packageKey.bytes();
        try {
            var key = keyVersions.prepare(agent.id(), packageKey.version(), rsaPublicKey, raw);
            return db.transaction(c -> {
                requireTenant(c, tenantId);
                Sql.update(c, "INSERT INTO agent (id, tenant_id, name, identity_public_key, registered_at)"
                        + " VALUES (?, ?, ?, ?, ?)", agent.id(), tenantId, name, identityPublicKey, agent.registeredAt());
                key.run(c);
                return agent;
            });
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }

    @Override
    public AgentKey rotateKey(String agentId, byte[] rsaPublicKey, dev.writeback.protocol.crypto.PackageKey packageKey,
                              Instant destroyOlderAfter) {
        requireNonNull(agentId, "agentId");
        requireNonNull(destroyOlderAfter, "destroyOlderAfter");
        int version = packageKey.version();
        byte[] raw = packageKey.bytes();
        try {
            var key = keyVersions.prepare(agentId, version, rsaPublicKey, raw);
            db.transaction(c -> {
                key.run(c);
                return keyVersions.retireBelow(c, agentId, version, destroyOlderAfter);
            });
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
        return keyVersions.find(agentId, version).orElseThrow();
    }

    // ---- agent sessions of every node (cluster)

    private static final String SESSION_COLUMNS = "session_id, node_id, tenant_id, agent_id, remote, connected_at,"
            + " last_heartbeat, version, key_version, in_flight, directories, seen_at";

    @Override
    public void publishSessions(String nodeId, List<SessionRow> rows) {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(rows, "rows");
        db.transaction(c -> {
            Sql.update(c, "DELETE FROM agent_session WHERE node_id = ?", nodeId);
            for (SessionRow r : rows) {
                if (!r.nodeId().equals(nodeId)) {
                    throw new IllegalArgumentException("session " + r.sessionId() + ": node " + r.nodeId()
                            + " (expected: " + nodeId + ")");
                }
                Sql.update(c, "INSERT INTO agent_session (" + SESSION_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        r.sessionId(), nodeId, r.tenantId(), r.agentId(), AuditLog.cut(r.remote(), 100), r.connectedAt(),
                        r.lastHeartbeat(), AuditLog.cut(r.version(), 64), r.keyVersion(), r.inFlight(), AuditLog.cut(r.directories(), 8000),
                        r.seenAt());
            }
            return null;
        });
    }

    @Override
    public List<SessionRow> sessions(String tenantId, Instant seenAfter) {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(seenAfter, "seenAfter");
        return db.transaction(c -> Sql.list(c, "SELECT " + SESSION_COLUMNS + " FROM agent_session"
                + " WHERE tenant_id = ? AND seen_at >= ? ORDER BY connected_at", rows -> new SessionRow(
                rows.getString("session_id"), rows.getString("node_id"), rows.getString("tenant_id"),
                rows.getString("agent_id"), rows.getString("remote"), Sql.instant(rows, "connected_at"),
                Sql.instant(rows, "last_heartbeat"), rows.getString("version"), rows.getInt("key_version"),
                rows.getInt("in_flight"), rows.getString("directories"), Sql.instant(rows, "seen_at")),
                tenantId, seenAfter));
    }

    @Override
    public boolean takeLease(String name, String holder, Instant now, Duration ttl) {
        requireNonNull(name, "name");
        requireNonNull(holder, "holder");
        return db.transaction(c -> {
            var current = Sql.one(c, "SELECT holder, expires_at FROM cluster_lease WHERE name = ?",
                    rows -> new String[] {rows.getString("holder"), Long.toString(rows.getLong("expires_at"))}, name);
            if (current.isPresent() && !current.get()[0].equals(holder)
                    && Long.parseLong(current.get()[1]) > now.toEpochMilli()) {
                return false;
            }
            Sql.update(c, "DELETE FROM cluster_lease WHERE name = ?", name);
            Sql.update(c, "INSERT INTO cluster_lease (name, holder, expires_at) VALUES (?, ?, ?)", name, holder, now.plus(ttl));
            return true;
        });
    }

    @Override
    public Optional<AgentRecord> agent(String agentId) {
        requireNonNull(agentId, "agentId");
        return db.transaction(c -> Sql.one(c, "SELECT " + AGENT_COLUMNS + " FROM agent WHERE id = ?",
                JdbcStore::agentRow, agentId));
    }

    @Override
    public List<AgentRecord> agents(String tenantId) {
        requireNonNull(tenantId, "tenantId");
        return db.transaction(c -> Sql.list(c, "SELECT " + AGENT_COLUMNS + " FROM agent WHERE tenant_id = ?"
                + " ORDER BY registered_at, id", JdbcStore::agentRow, tenantId));
    }

    @Override
    public boolean deleteAgent(String agentId) {
        requireNonNull(agentId, "agentId");
        boolean deleted = db.transaction(c -> {
            Sql.update(c, "DELETE FROM agent_key WHERE agent_id = ?", agentId);
            return Sql.update(c, "DELETE FROM agent WHERE id = ?", agentId) > 0;
        });
        db.checkpoint();   // the agent's key rows are zeroed (secure_delete); drop their copies in the WAL too
        return deleted;
    }

    @Override
    public void touchAgent(String agentId, Instant lastSeen, String version) {
        requireNonNull(agentId, "agentId");
        requireNonNull(lastSeen, "lastSeen");
        requireNonNull(version, "version");
        if (version.length() > MAX_VERSION_LENGTH) {
            throw new IllegalArgumentException("agent version length: " + version.length()
                    + " (expected: <= " + MAX_VERSION_LENGTH + ")");
        }
        db.transaction(c -> {
            if (Sql.update(c, "UPDATE agent SET last_seen = ?, last_version = ? WHERE id = ?",
                    lastSeen, version, agentId) == 0) {
                throw agentNotFound(agentId);
            }
            return null;
        });
    }

    // ---- key versions

    @Override
    public void addKeyVersion(String agentId, int version, byte[] rsaPublicKey, byte[] packageKey) {
        keyVersions.add(agentId, version, rsaPublicKey, packageKey);
    }

    @Override
    public Optional<AgentKey> currentKey(String agentId) {
        return keyVersions.current(agentId);
    }

    @Override
    public Optional<AgentKey> key(String agentId, int version) {
        return keyVersions.find(agentId, version);
    }

    @Override
    public List<AgentKey> keys(String agentId) {
        return keyVersions.all(agentId);
    }

    @Override
    public void retireKeysBelow(String agentId, int version, Instant destroyAfter) {
        keyVersions.retireBelow(agentId, version, destroyAfter);
    }

    @Override
    public int destroyRetiredKeys(Instant now) {
        return keyVersions.destroyRetired(now);
    }

    // ---- audit

    @Override
    public dev.writeback.relay.hashsync.HashSyncStore hashSync() {
        return hashSync;
    }

    @Override
    public dev.writeback.portal.PortalStore portal() {
        return portal;
    }

    @Override
    public void savePortalSettings(dev.writeback.portal.PortalSettings settings) {
        requireNonNull(settings, "settings");
        portal.saveSettings(settings);
    }

    @Override
    public void appendAudit(AuditRecord record) {
        operationAudits.complete(record);
    }

    @Override
    public void draftAudit(AuditRecord draft) {
        operationAudits.draft(draft);
    }

    @Override
    public void dropAuditDraft(String requestId) {
        operationAudits.drop(requestId);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> auditBeforeCommit(String tenantId, String requestId, String agentId,
            String operation, String anchor) {
        return operationAudits.beforeCommit(tenantId, requestId, agentId, operation, anchor);
    }

    /** Transactions the audit writer committed, and records in them (group commit: fewer commits than records). */
    long[] auditCommits() {
        return new long[] {auditWriter.commits(), auditWriter.works()};
    }

    @Override
    public List<AuditRecord> audit(String tenantId, Instant since, int limit) {
        return auditLog.read(tenantId, since, limit);
    }

    @Override
    public int pruneAudit(Instant before) {
        return auditLog.prune(before);
    }

    @Override
    public void close() {
        auditWriter.close();
        db.close();
    }

    // ---- helpers

    private Void checkMasterKey(Connection c) throws SQLException {
        byte[] aad = ("relay_meta|" + MASTER_KEY_CHECK).getBytes(StandardCharsets.UTF_8);
        var stored = Sql.one(c, "SELECT value FROM relay_meta WHERE name = ?", rows -> rows.getBytes(1),
                MASTER_KEY_CHECK);
        if (stored.isEmpty()) {
            Sql.update(c, "INSERT INTO relay_meta (name, value) VALUES (?, ?)", MASTER_KEY_CHECK,
                    masterKey.encrypt(new byte[16], aad));
            return null;
        }
        try {
            masterKey.decrypt(stored.get(), aad);
        } catch (StoreException e) {
            throw new StoreException(StoreException.Kind.CORRUPT, "master key: " + masterKey
                    + " does not open this database (expected: the key it was created with, from "
                    + MasterKey.ENV_VAR + " or " + MasterKey.FILE_NAME + ")");
        }
        return null;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Tenant tenantRow(ResultSet rows) throws SQLException {
        return new Tenant(rows.getString("id"), rows.getString("name"), rows.getBoolean("enabled"),
                rows.getBoolean("allow_unlock_without_reset"), Sql.instant(rows, "created_at"));
    }

    private static ApiTokenInfo apiTokenRow(ResultSet rows) throws SQLException {
        String scope = rows.getString("scope");
        return new ApiTokenInfo(rows.getString("id"), rows.getString("tenant_id"), rows.getString("label"),
                ApiScope.ofWire(scope).orElseThrow(() -> new StoreException(StoreException.Kind.CORRUPT,
                        "api token scope: " + shown(scope) + " (expected: " + ApiScope.EXPECTED + ")")),
                Sql.instant(rows, "created_at"), Sql.instant(rows, "last_used_at"));
    }

    private static TokenInfo apiTokenListRow(ResultSet rows) throws SQLException {
        ApiTokenInfo info = apiTokenRow(rows);
        return new TokenInfo(info.id(), info.tenantId(), TokenInfo.Kind.API, info.scope(), info.label(),
                info.createdAt(), info.lastUsedAt(), null);
    }

    private static TokenInfo registrationTokenRow(ResultSet rows) throws SQLException {
        return new TokenInfo(rows.getString("id"), rows.getString("tenant_id"), TokenInfo.Kind.REGISTRATION, null, null,
                Sql.instant(rows, "created_at"), Sql.instant(rows, "used_at"), Sql.instant(rows, "expires_at"));
    }

    private static AgentRecord agentRow(ResultSet rows) throws SQLException {
        return new AgentRecord(rows.getString("id"), rows.getString("tenant_id"), rows.getString("name"),
                rows.getBytes("identity_public_key"), Sql.instant(rows, "registered_at"),
                Sql.instant(rows, "last_seen"), rows.getString("last_version"));
    }

    private static Optional<Tenant> findTenant(Connection c, String tenantId) throws SQLException {
        return Sql.one(c, "SELECT " + TENANT_COLUMNS + " FROM tenant WHERE id = ?", JdbcStore::tenantRow, tenantId);
    }

    private static void requireTenant(Connection c, String tenantId) throws SQLException {
        if (!Sql.exists(c, "SELECT id FROM tenant WHERE id = ?", tenantId)) {
            throw tenantNotFound(tenantId);
        }
    }

    private static StoreException tenantNotFound(String tenantId) {
        return new StoreException(StoreException.Kind.NOT_FOUND,
                "tenant: " + shown(tenantId) + " (expected: an existing tenant id)");
    }

    static StoreException agentNotFound(String agentId) {
        return new StoreException(StoreException.Kind.NOT_FOUND,
                "agent: " + shown(agentId) + " (expected: an existing agent id)");
    }

    /** An id as received, for a message: itself if short and printable, else only its length. */
    static String shown(String id) {
        boolean printable = id.length() <= 64 && id.chars().noneMatch(Character::isISOControl);
        return printable ? id : "(" + id.length() + " characters)";
    }

    private static void checkName(String name, String what) {
        requireNonNull(name, what);
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            String shown = name.isBlank() ? "(blank)" : name.length() + " characters";   // may hold control chars
            throw new IllegalArgumentException(what + ": " + shown + " (expected: 1 to " + MAX_NAME_LENGTH
                    + " characters, not blank, no control characters)");
        }
    }

    static void checkPublicKey(byte[] key, String what) {
        requireNonNull(key, what);
        if (key.length == 0 || key.length > MAX_PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException(what + ": " + key.length + " bytes (expected: 1 to "
                    + MAX_PUBLIC_KEY_BYTES + ", X.509 DER)");
        }
    }
}
