package dev.writeback.relay.api;

import dev.writeback.relay.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a node can serve, as {@code /readyz} says it on the TLS port and on the metrics listener: its store
 * answers a query, and in a cluster its link to the other nodes is up.
 */
public final class Readiness {
    private static final Logger logger = LoggerFactory.getLogger(Readiness.class);

    private Readiness() {}

    /** Why the node cannot serve now, or null when it can. */
    public static String notReadyBecause(Store store, AgentGateway gateway) {
        try {
            store.tenant("readiness-probe");
        } catch (RuntimeException e) {
            logger.debug("Not ready: the store does not answer", e);
            return "store: unavailable (expected: a store that answers)";
        }
        return gateway.notReadyBecause();
    }
}
