package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.relay.hashsync.HashSyncReceiver;
import dev.writeback.relay.hashsync.HashSyncStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Hash sync state in the relay's database (schema V6). */
final class JdbcHashSyncStore implements HashSyncStore {
    private static final String USER_COLUMNS =
            "anchor, upn, status, stamp, updated_at, agent_id, stored, failures, locked_until";

    private final Database db;

    JdbcHashSyncStore(Database db) {
        this.db = db;
    }

    @Override
    public Optional<TenantRow> tenant(String tenantId) {
        requireNonNull(tenantId, "tenantId");
        return db.transaction(c -> Sql.one(c, "SELECT enabled, full_sync_requested, last_cycle, last_heartbeat"
                + " FROM hash_sync_tenant WHERE tenant_id = ?", JdbcHashSyncStore::tenantRow, tenantId));
    }

    @Override
    public void saveTenant(String tenantId, TenantRow row) {
        db.transaction(c -> {
            int changed = Sql.update(c, "UPDATE hash_sync_tenant SET enabled = ?, full_sync_requested = ?, last_cycle = ?,"
                            + " last_heartbeat = ? WHERE tenant_id = ?", row.enabled(), row.fullSyncRequested(), row.lastCycle(),
                    row.lastHeartbeat(), tenantId);
            if (changed == 0) {
                Sql.update(c, "INSERT INTO hash_sync_tenant (tenant_id, enabled, full_sync_requested, last_cycle, last_heartbeat)"
                                + " VALUES (?, ?, ?, ?, ?)", tenantId, row.enabled(), row.fullSyncRequested(), row.lastCycle(),
                        row.lastHeartbeat());
            }
            return null;
        });
    }

    @Override
    public Map<String, TenantRow> tenantsWithSyncOn() {
        return db.transaction(c -> {
            var out = new LinkedHashMap<String, TenantRow>();
            for (var entry : Sql.list(c, "SELECT tenant_id, enabled, full_sync_requested, last_cycle, last_heartbeat"
                    + " FROM hash_sync_tenant WHERE enabled = ? ORDER BY tenant_id", rows -> Map.entry(rows.getString("tenant_id"),
                    tenantRow(rows)), true)) {
                out.put(entry.getKey(), entry.getValue());
            }
            return out;
        });
    }

    @Override
    public Optional<UserRow> user(String tenantId, String anchor) {
        return db.transaction(c -> Sql.one(c, "SELECT " + USER_COLUMNS + " FROM hash_sync_user WHERE tenant_id = ? AND anchor = ?",
                JdbcHashSyncStore::userRow, tenantId, anchor));
    }

    @Override
    public Optional<UserRow> userByUpn(String tenantId, String upn) {
        return db.transaction(c -> Sql.list(c, "SELECT " + USER_COLUMNS + " FROM hash_sync_user WHERE tenant_id = ? AND upn = ?"
                        + " ORDER BY updated_at DESC", JdbcHashSyncStore::userRow, tenantId, upn.toLowerCase(Locale.ROOT))
                .stream().findFirst());
    }

    @Override
    public void saveUsers(String tenantId, List<UserRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            for (UserRow u : rows) {
                int changed = Sql.update(c, "UPDATE hash_sync_user SET upn = ?, status = ?, stamp = ?, updated_at = ?, agent_id = ?,"
                                + " stored = ?, failures = ?, locked_until = ? WHERE tenant_id = ? AND anchor = ?",
                        u.upn().toLowerCase(Locale.ROOT), u.status().wireValue(), u.stamp(), u.updatedAt(), u.agentId(), u.stored(),
                        u.failures(), u.lockedUntil(), tenantId, u.anchor());
                if (changed == 0) {
                    Sql.update(c, "INSERT INTO hash_sync_user (tenant_id, " + USER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            tenantId, u.anchor(), u.upn().toLowerCase(Locale.ROOT), u.status().wireValue(), u.stamp(),
                            u.updatedAt(), u.agentId(), u.stored(), u.failures(), u.lockedUntil());
                }
                Sql.update(c, "INSERT INTO hash_sync_history (tenant_id, anchor, at, status) VALUES (?, ?, ?, ?)",
                        tenantId, u.anchor(), u.updatedAt(), u.status().wireValue());
            }
            return null;
        });
    }

    @Override
    public void saveFailures(String tenantId, String anchor, int failures, Instant lockedUntil) {
        db.transaction(c -> Sql.update(c, "UPDATE hash_sync_user SET failures = ?, locked_until = ? WHERE tenant_id = ? AND anchor = ?",
                failures, lockedUntil, tenantId, anchor));
    }

    @Override
    public List<HashSyncReceiver.StatusRecord> history(String tenantId, String anchor) {
        return db.transaction(c -> Sql.list(c, "SELECT at, status FROM hash_sync_history WHERE tenant_id = ? AND anchor = ?"
                        + " ORDER BY at", rows -> new HashSyncReceiver.StatusRecord(Sql.instant(rows, "at"),
                        HashSyncStatus.ofWireValue(rows.getInt("status"))), tenantId, anchor));
    }

    @Override
    public Map<HashSyncStatus, Integer> counts(String tenantId) {
        return db.transaction(c -> {
            var out = new EnumMap<HashSyncStatus, Integer>(HashSyncStatus.class);
            for (var e : Sql.list(c, "SELECT status, COUNT(*) AS n FROM hash_sync_user WHERE tenant_id = ? GROUP BY status",
                    rows -> Map.entry(HashSyncStatus.ofWireValue(rows.getInt("status")), rows.getInt("n")), tenantId)) {
                out.put(e.getKey(), e.getValue());
            }
            return out;
        });
    }

    @Override
    public int deleteUsers(String tenantId) {
        return db.transaction(c -> {
            Sql.update(c, "DELETE FROM hash_sync_history WHERE tenant_id = ?", tenantId);
            return Sql.update(c, "DELETE FROM hash_sync_user WHERE tenant_id = ?", tenantId);
        });
    }

    @Override
    public int purge(Instant before) {
        return db.transaction(c -> Sql.update(c, "DELETE FROM hash_sync_history WHERE at < ?", before)
                + Sql.update(c, "DELETE FROM hash_sync_user WHERE status <> ? AND updated_at < ?",
                HashSyncStatus.SUCCESS.wireValue(), before));
    }

    private static TenantRow tenantRow(ResultSet rows) throws SQLException {
        return new TenantRow(rows.getBoolean("enabled"), rows.getBoolean("full_sync_requested"),
                Sql.instant(rows, "last_cycle"), Sql.instant(rows, "last_heartbeat"));
    }

    private static UserRow userRow(ResultSet rows) throws SQLException {
        return new UserRow(rows.getString("anchor"), rows.getString("upn"), HashSyncStatus.ofWireValue(rows.getInt("status")),
                rows.getLong("stamp"), Sql.instant(rows, "updated_at"), rows.getString("agent_id"), rows.getBytes("stored"),
                rows.getInt("failures"), Sql.instant(rows, "locked_until"));
    }
}
