package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One audited event: who did what to which account, with which result. Never holds a password.
 *
 * @param seq position in the audit log, assigned by the store; {@code 0} when appending
 * @param actor the API token id, or {@code "cli"}
 * @param operation {@code RESET}, {@code CHANGE}, {@code UNLOCK}, {@code SETTINGS}, {@code AGENT_REGISTERED},
 *     {@code AGENT_DELETED}, {@code KEYS_ROTATED}, ...
 * @param anchor the account anchor, empty when the operation names no account
 * @param result a result code name, or {@code OK}
 * @param requestId the request id (support code), or {@code null}
 * @param reason a result reason such as {@code HISTORY}, or {@code null}
 * @param agentId the agent that handled the operation, or {@code null}
 * @param detail a short diagnostic fit for an admin, or {@code null}
 */
public record AuditRecord(long seq, Instant time, String tenantId, String requestId, String actor, String operation,
        String anchor, String result, String reason, String agentId, long durationMillis, String detail) {
    public AuditRecord {
        requireNonNull(time, "time");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(actor, "actor");
        requireNonNull(operation, "operation");
        requireNonNull(anchor, "anchor");
        requireNonNull(result, "result");
        if (seq < 0) {
            throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
        }
        if (durationMillis < 0) {
            throw new IllegalArgumentException("durationMillis: " + durationMillis + " (expected: >= 0)");
        }
    }
}
