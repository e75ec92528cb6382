package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-agent key versions of DESIGN §4. A package key is sealed by the master key with associated data
 * {@code agentId|version}, so a sealed key copied to another row does not open.
 */
final class KeyVersions {
    static final int PACKAGE_KEY_BYTES = 32;

    private static final Logger logger = LoggerFactory.getLogger(KeyVersions.class);
    private static final String COLUMNS =
            "agent_id, version, rsa_public_key, sealed_package_key, created_at, destroy_after";

    private final Database db;
    private final MasterKey masterKey;
    private final Supplier<Instant> now;

    KeyVersions(Database db, MasterKey masterKey, Supplier<Instant> now) {
        this.db = db;
        this.masterKey = masterKey;
        this.now = now;
    }

    /** Stores a new version above every stored one; the package key only sealed. */
    void add(String agentId, int version, byte[] rsaPublicKey, byte[] packageKey) {
        Database.Work<Integer> insert = prepare(agentId, version, rsaPublicKey, packageKey);
        db.transaction(c -> insert.run(c));
    }

    /** A checked, sealed key version, ready to insert inside a caller's transaction. */
    Database.Work<Integer> prepare(String agentId, int version, byte[] rsaPublicKey, byte[] packageKey) {
        requireNonNull(agentId, "agentId");
        JdbcStore.checkPublicKey(rsaPublicKey, "RSA public key");
        requireNonNull(packageKey, "packageKey");
        if (version < 1) {
            throw new IllegalArgumentException("key version: " + version + " (expected: >= 1)");
        }
        if (packageKey.length != PACKAGE_KEY_BYTES) {
            throw new IllegalArgumentException("package key: " + packageKey.length + " bytes (expected: "
                    + PACKAGE_KEY_BYTES + ")");
        }
        byte[] sealed = masterKey.encrypt(packageKey, aad(agentId, version));
        return c -> {
            if (!Sql.exists(c, "SELECT id FROM agent WHERE id = ?", agentId)) {
                throw JdbcStore.agentNotFound(agentId);
            }
            int newest = Sql.one(c, "SELECT MAX(version) FROM agent_key WHERE agent_id = ?",
                    rows -> rows.getInt(1), agentId).orElse(0);
            if (version <= newest) {
                throw new StoreException(StoreException.Kind.CONFLICT, "key version: " + version + " of agent "
                        + JdbcStore.shown(agentId) + " (expected: > " + newest + ", the newest stored)");
            }
            return Sql.update(c, "INSERT INTO agent_key (agent_id, version, rsa_public_key, sealed_package_key,"
                    + " created_at) VALUES (?, ?, ?, ?, ?)", agentId, version, rsaPublicKey, sealed, now.get());
        };
    }

    /** The highest version that is not retired. */
    Optional<AgentKey> current(String agentId) {
        requireNonNull(agentId, "agentId");
        return db.transaction(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM agent_key"
                + " WHERE agent_id = ? AND destroy_after IS NULL ORDER BY version DESC LIMIT 1", this::row, agentId));
    }

    /** One version, retired or not. */
    Optional<AgentKey> find(String agentId, int version) {
        requireNonNull(agentId, "agentId");
        return db.transaction(c -> Sql.one(c, "SELECT " + COLUMNS + " FROM agent_key"
                + " WHERE agent_id = ? AND version = ?", this::row, agentId, version));
    }

    /** Every stored version, lowest first. */
    List<AgentKey> all(String agentId) {
        requireNonNull(agentId, "agentId");
        return db.transaction(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM agent_key WHERE agent_id = ?"
                + " ORDER BY version", this::row, agentId));
    }

    /** Gives the not yet retired versions below {@code version} (which must exist) a destroy time. */
    void retireBelow(String agentId, int version, Instant destroyAfter) {
        requireNonNull(agentId, "agentId");
        requireNonNull(destroyAfter, "destroyAfter");
        db.transaction(c -> retireBelow(c, agentId, version, destroyAfter));
    }

    /** {@link #retireBelow(String, int, Instant)} inside a caller's transaction. */
    int retireBelow(java.sql.Connection c, String agentId, int version, Instant destroyAfter) throws java.sql.SQLException {
        if (!Sql.exists(c, "SELECT version FROM agent_key WHERE agent_id = ? AND version = ?", agentId, version)) {
            throw new StoreException(StoreException.Kind.NOT_FOUND, "key version: " + version + " of agent "
                    + JdbcStore.shown(agentId) + " (expected: a stored version to keep)");
        }
        int retired = Sql.update(c, "UPDATE agent_key SET destroy_after = ?"
                + " WHERE agent_id = ? AND version < ? AND destroy_after IS NULL", destroyAfter, agentId, version);
        logger.debug("Retired {} key versions below {} of agent {}, destroyed after {}", retired, version, agentId,
                destroyAfter);
        return retired;
    }

    /** Deletes retired versions due at {@code now}; returns how many. */
    int destroyRetired(Instant now) {
        requireNonNull(now, "now");
        int destroyed = db.transaction(c -> Sql.update(c,
                "DELETE FROM agent_key WHERE destroy_after IS NOT NULL AND destroy_after <= ?", now));
        if (destroyed > 0) {
            db.checkpoint();   // secure_delete zeroed the rows; the checkpoint drops their copies in the WAL
        }
        return destroyed;
    }

    private AgentKey row(ResultSet rows) throws SQLException {
        String agentId = rows.getString("agent_id");
        int version = rows.getInt("version");
        byte[] packageKey;
        try {
            packageKey = masterKey.decrypt(rows.getBytes("sealed_package_key"), aad(agentId, version));
        } catch (StoreException e) {
            throw new StoreException(StoreException.Kind.CORRUPT, "package key of agent " + agentId + " version "
                    + version + ": fails its integrity check (expected: sealed by this master key for this row)", e);
        }
        try {
            return new AgentKey(agentId, version, rows.getBytes("rsa_public_key"), packageKey,
                    Sql.instant(rows, "created_at"), Sql.instant(rows, "destroy_after"));
        } finally {
            Arrays.fill(packageKey, (byte) 0);
        }
    }

    private static byte[] aad(String agentId, int version) {
        return (agentId + "|" + version).getBytes(StandardCharsets.UTF_8);
    }
}
