package dev.writeback.relay.api;

import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.Store;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the API's audit records. A failed write is logged and does not change the answer: the operation it
 * records has already happened. Blocking: call off the event loop.
 */
final class AuditTrail {
    private static final Logger logger = LoggerFactory.getLogger(AuditTrail.class);

    private final Store store;
    private final Clock clock;

    AuditTrail(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Records an event that names no account and took no measurable time. */
    void record(String tenantId, String requestId, String actor, AuditEvent event, String result, String agentId,
            String detail) {
        record(new AuditRecord(0, clock.instant(), tenantId, requestId, actor, event.name(), "", result, null, agentId, 0,
                detail));
    }

    /** Records an event that succeeded ({@link AuditEvent#OK}). */
    void ok(String tenantId, String actor, AuditEvent event, String agentId, String detail) {
        record(tenantId, null, actor, event, AuditEvent.OK, agentId, detail);
    }

    void record(AuditRecord record) {
        try {
            store.appendAudit(record);
        } catch (RuntimeException e) {
            logger.warn("API-501 audit record not written operation={} result={}", record.operation(),
                    record.result(), e);
        }
    }
}
