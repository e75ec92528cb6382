package dev.writeback.relay.agent;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.DirectoryStatus;
import java.time.Instant;
import java.util.List;

/**
 * One connected agent session as the status API shows it.
 *
 * @param agentId the agent
 * @param sessionId the session (a new one per connection)
 * @param remoteAddress where the agent connected from
 * @param connectedAt when the session became ready
 * @param lastHeartbeat the last HEARTBEAT, null before the first
 * @param heartbeatOverdue whether no heartbeat arrived within the overdue limit
 * @param version the agent's version
 * @param keyVersion the key version in use
 * @param inFlight requests in flight on this session
 * @param directories the directory health from the last heartbeat
 * @param node the relay node holding the session; empty on a relay on its own
 */
public record LiveAgent(String agentId, String sessionId, String remoteAddress, Instant connectedAt, Instant lastHeartbeat,
                        boolean heartbeatOverdue, String version, int keyVersion, int inFlight,
                        List<DirectoryStatus> directories, String node) {
    /** A session of a relay on its own. */
    public LiveAgent(String agentId, String sessionId, String remoteAddress, Instant connectedAt, Instant lastHeartbeat,
                     boolean heartbeatOverdue, String version, int keyVersion, int inFlight,
                     List<DirectoryStatus> directories) {
        this(agentId, sessionId, remoteAddress, connectedAt, lastHeartbeat, heartbeatOverdue, version, keyVersion,
                inFlight, directories, "");
    }

    /** The same session, named as held by {@code nodeId}. */
    public LiveAgent on(String nodeId) {
        return new LiveAgent(agentId, sessionId, remoteAddress, connectedAt, lastHeartbeat, heartbeatOverdue, version,
                keyVersion, inFlight, directories, nodeId);
    }

    public LiveAgent {
        requireNonNull(node, "node");
        requireNonNull(agentId, "agentId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(remoteAddress, "remoteAddress");
        requireNonNull(connectedAt, "connectedAt");
        requireNonNull(version, "version");
        directories = List.copyOf(directories);
    }

    /** Whether every reported directory is reachable (true before the first heartbeat). */
    public boolean directoriesHealthy() {
        return directories.stream().allMatch(DirectoryStatus::reachable);
    }
}
