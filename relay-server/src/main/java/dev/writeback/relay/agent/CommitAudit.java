package dev.writeback.relay.agent;

import java.util.concurrent.CompletableFuture;

/** Writes an operation's audit record before its COMMIT goes out (the store's {@code auditBeforeCommit}). */
@FunctionalInterface
public interface CommitAudit {
    /** Completes once the record is durable; must not block. */
    CompletableFuture<Void> beforeCommit(String tenantId, String requestId, String agentId, String operation, String anchor);
}
