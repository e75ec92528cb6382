package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit record of each password operation in flight (DESIGN §2): drafted when the API submits it (no I/O),
 * written durably as {@value #COMMITTING} before the relay sends its COMMIT, and completed with the outcome. A
 * relay killed after COMMIT so leaves a COMMITTING record behind, never nothing.
 */
final class OperationAudits {
    /** The result an operation's record carries between its COMMIT and its outcome. */
    static final String COMMITTING = "COMMITTING";

    private final AuditLog log;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> inFlight = new ConcurrentHashMap<>();

    OperationAudits(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    void draft(AuditRecord draft) {
        requireNonNull(draft, "draft");
        requireNonNull(draft.requestId(), "draft.requestId");
        inFlight.put(draft.requestId(), new Entry(draft));
    }

    void drop(String requestId) {
        inFlight.remove(requestId);
    }

    /** Operations drafted and not yet completed. */
    int inFlight() {
        return inFlight.size();
    }

    /**
     * Writes the operation's COMMITTING record, or names {@code agentId} on it when an earlier agent's COMMIT never
     * went out; completes once that is durable. Without a draft (an operation the API did not submit) a record is
     * still written, with actor {@code relay}.
     */
    CompletableFuture<Void> beforeCommit(String tenantId, String requestId, String agentId, String operation, String anchor) {
        Entry entry = inFlight.get(requestId);
        if (entry == null) {
            return log.appendAsync(new AuditRecord(0, clock.instant(), tenantId, requestId, "relay", operation, anchor,
                    COMMITTING, null, agentId, 0, null)).thenApply(seq -> null);
        }
        synchronized (entry) {
            if (entry.seq == null) {
                AuditRecord d = entry.draft;
                entry.seq = log.appendAsync(new AuditRecord(0, clock.instant(), d.tenantId(), requestId, d.actor(),
                        d.operation(), d.anchor(), COMMITTING, null, agentId, 0, null));
                return entry.seq.thenApply(seq -> null);
            }
            return entry.seq.thenCompose(seq -> log.reassignAsync(seq, agentId));
        }
    }

    /**
     * Completes the operation's COMMITTING record with {@code outcome} when one was written, else appends
     * {@code outcome}; returns once it is durable.
     */
    void complete(AuditRecord outcome) {
        Entry entry = outcome.requestId() == null ? null : inFlight.remove(outcome.requestId());
        CompletableFuture<Long> seq;
        if (entry == null) {
            log.append(outcome);
            return;
        }
        synchronized (entry) {
            seq = entry.seq;
        }
        Long written = seq == null ? null : seq.exceptionally(e -> null).join();
        if (written == null) {
            log.append(outcome);   // no COMMITTING record made it to disk: nothing to complete
        } else {
            AuditLog.await(log.completeAsync(written, outcome));
        }
    }

    private static final class Entry {
        final AuditRecord draft;
        CompletableFuture<Long> seq;   // guarded by this

        Entry(AuditRecord draft) {
            this.draft = draft;
        }
    }
}
