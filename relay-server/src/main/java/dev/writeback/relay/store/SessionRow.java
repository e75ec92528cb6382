package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One agent session as the node that holds it wrote it to the store (schema version 7), so the other nodes can show
 * it. Nothing secret: ids, the agent's address and version, counters and the directory health JSON of its last
 * heartbeat.
 *
 * @param lastHeartbeat null before the first heartbeat
 * @param directories the directory health of the last heartbeat as JSON (an array)
 * @param seenAt when its node last wrote it
 */
public record SessionRow(String sessionId, String nodeId, String tenantId, String agentId, String remote,
                         Instant connectedAt, Instant lastHeartbeat, String version, int keyVersion, int inFlight,
                         String directories, Instant seenAt) {
    public SessionRow {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(nodeId, "nodeId");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(agentId, "agentId");
        requireNonNull(remote, "remote");
        requireNonNull(connectedAt, "connectedAt");
        requireNonNull(version, "version");
        requireNonNull(directories, "directories");
        requireNonNull(seenAt, "seenAt");
    }
}
