package dev.writeback.agent.link;

import java.util.HashMap;
import java.util.Map;

/**
 * The links of one agent, which keep sessions on distinct relay nodes: a link that becomes READY on a node another
 * link already holds a session on gives way and dials again. Relays on their own (no node id) are not tracked.
 */
final class LinkGroup {
    private final Map<String, RelayLink> byNode = new HashMap<>();

    /** Whether {@code link} may keep its session on {@code nodeId}; it then holds that node until it releases it. */
    synchronized boolean claim(String nodeId, RelayLink link) {
        if (nodeId.isEmpty()) {
            return true;
        }
        RelayLink holder = byNode.get(nodeId);
        if (holder != null && holder != link && holder.connected()) {
            return false;
        }
        byNode.put(nodeId, link);
        return true;
    }

    /** {@code link}'s session on {@code nodeId} ended. */
    synchronized void release(String nodeId, RelayLink link) {
        if (nodeId != null && !nodeId.isEmpty()) {
            byNode.remove(nodeId, link);
        }
    }
}
