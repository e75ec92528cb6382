package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The append-only audit table: appends, pages by time, prunes for retention. */
final class AuditLog {
    private static final String COLUMNS = "seq, occurred_at, tenant_id, request_id, actor, operation, anchor,"
            + " result, reason, agent_id, duration_millis, detail";

    private final Database db;

    AuditLog(Database db) {
        this.db = db;
    }

    /** Appends one record; text longer than its column is cut, so an audit write never fails on length. */
    void append(AuditRecord r) {
        requireNonNull(r, "record");
        if (r.seq() != 0) {
            throw new IllegalArgumentException("audit seq: " + r.seq() + " (expected: 0, the store assigns it)");
        }
        db.transaction(c -> Sql.update(c, "INSERT INTO audit (occurred_at, tenant_id, request_id, actor,"
                + " operation, anchor, result, reason, agent_id, duration_millis, detail)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.time(), cut(r.tenantId(), 36), cut(r.requestId(), 64), cut(r.actor(), 64), cut(r.operation(), 32),
                cut(r.anchor(), 1100), cut(r.result(), 32), cut(r.reason(), 32), cut(r.agentId(), 36),
                r.durationMillis(), cut(r.detail(), 2000)));
    }

    /** At most {@code limit} records of a tenant at or after {@code since}, oldest first, ties in append order. */
    List<AuditRecord> read(String tenantId, Instant since, int limit) {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(since, "since");
        if (limit < 1 || limit > JdbcStore.MAX_AUDIT_PAGE) {
            throw new IllegalArgumentException("audit limit: " + limit + " (expected: 1 to "
                    + JdbcStore.MAX_AUDIT_PAGE + ")");
        }
        return db.transaction(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM audit"
                + " WHERE tenant_id = ? AND occurred_at >= ? ORDER BY occurred_at, seq LIMIT ?",
                AuditLog::row, tenantId, since, limit));
    }

    /** Deletes records older than {@code before}; returns how many. */
    int prune(Instant before) {
        requireNonNull(before, "before");
        return db.transaction(c -> Sql.update(c, "DELETE FROM audit WHERE occurred_at < ?", before));
    }

    private static AuditRecord row(ResultSet rows) throws SQLException {
        return new AuditRecord(rows.getLong("seq"), Sql.instant(rows, "occurred_at"), rows.getString("tenant_id"),
                rows.getString("request_id"), rows.getString("actor"), rows.getString("operation"),
                rows.getString("anchor"), rows.getString("result"), rows.getString("reason"),
                rows.getString("agent_id"), rows.getLong("duration_millis"), rows.getString("detail"));
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
