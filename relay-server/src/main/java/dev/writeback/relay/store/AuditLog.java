package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The audit table: appends (group-committed, see {@link GroupCommit}), completes an operation's COMMITTING record
 * with its outcome, pages by time, prunes for retention.
 */
final class AuditLog {
    private static final String COLUMNS = "seq, occurred_at, tenant_id, request_id, actor, operation, anchor,"
            + " result, reason, agent_id, duration_millis, detail";

    private final Database db;
    private final GroupCommit writer;

    /** The audit table of {@code db}; writes go through {@code writer}, reads straight to {@code db}. */
    AuditLog(Database db, GroupCommit writer) {
        this.db = db;
        this.writer = writer;
    }

    /** Appends one record and returns once it is committed; text longer than its column is cut. */
    void append(AuditRecord r) {
        await(appendAsync(r));
    }

    /**
     * Queues one record for the next group commit; the future completes with its {@code seq} once it is on disk.
     * Text longer than its column is cut, so an audit write never fails on length.
     */
    CompletableFuture<Long> appendAsync(AuditRecord r) {
        requireNonNull(r, "record");
        if (r.seq() != 0) {
            throw new IllegalArgumentException("audit seq: " + r.seq() + " (expected: 0, the store assigns it)");
        }
        return writer.submit(c -> {
            // RETURNING: SQLite (3.35+) and PostgreSQL both hand back the sequence number the row was given.
            return Sql.one(c, "INSERT INTO audit (occurred_at, tenant_id, request_id, actor,"
                    + " operation, anchor, result, reason, agent_id, duration_millis, detail)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq", rows -> rows.getLong("seq"),
                    r.time(), cut(r.tenantId(), 36), cut(r.requestId(), 64), cut(r.actor(), 64), cut(r.operation(), 32),
                    cut(r.anchor(), 1100), cut(r.result(), 32), cut(r.reason(), 32), cut(r.agentId(), 36),
                    r.durationMillis(), cut(r.detail(), 2000)).orElseThrow();
        });
    }

    /** Rewrites record {@code seq} (a COMMITTING one) with its outcome, in the next group commit. */
    CompletableFuture<Void> completeAsync(long seq, AuditRecord r) {
        requireNonNull(r, "record");
        return writer.submit(c -> {
            Sql.update(c, "UPDATE audit SET occurred_at = ?, actor = ?, operation = ?, anchor = ?, result = ?, reason = ?,"
                    + " agent_id = ?, duration_millis = ?, detail = ? WHERE seq = ?",
                    r.time(), cut(r.actor(), 64), cut(r.operation(), 32), cut(r.anchor(), 1100), cut(r.result(), 32),
                    cut(r.reason(), 32), cut(r.agentId(), 36), r.durationMillis(), cut(r.detail(), 2000), seq);
            return null;
        });
    }

    /** Names another agent on record {@code seq} (the request moved before its COMMIT went out). */
    CompletableFuture<Void> reassignAsync(long seq, String agentId) {
        return writer.submit(c -> {
            Sql.update(c, "UPDATE audit SET agent_id = ? WHERE seq = ?", cut(agentId, 36), seq);
            return null;
        });
    }

    /** Waits for a group-committed write; a failure surfaces as the {@link StoreException} it was. */
    static <T> T await(CompletableFuture<T> write) {
        try {
            return write.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
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

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
