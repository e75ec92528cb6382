package dev.writeback.relay.api;

import dev.writeback.portal.Lookup;
import dev.writeback.portal.Writeback;
import dev.writeback.portal.WritebackResult;
import dev.writeback.portal.WritebackState;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.concurrent.CompletableFuture;

/**
 * The portal's {@link Writeback} inside the relay process. Status comes from the live agent sessions. LOOKUP,
 * reset and unlock go through the in-process writeback seam that the LOOKUP operation brings; until it is merged
 * they answer AGENT_OFFLINE, so the portal tells users that a reset is not possible now.
 */
public final class RelayWriteback implements Writeback {
    private final AgentGateway gateway;

    public RelayWriteback(AgentGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public CompletableFuture<WritebackState> status(String tenantId) {
        return CompletableFuture.completedFuture(gateway.live(tenantId).isEmpty() ? WritebackState.DOWN : WritebackState.UP);
    }

    @Override
    public CompletableFuture<Lookup> lookup(String tenantId, String userId) {
        return CompletableFuture.completedFuture(Lookup.failed("", ResultCode.AGENT_OFFLINE));
    }

    @Override
    public CompletableFuture<WritebackResult> reset(String tenantId, Anchor anchor, Secret newPassword, boolean unlock) {
        return CompletableFuture.completedFuture(new WritebackResult("", ResultCode.AGENT_OFFLINE, PolicyReason.NONE));
    }

    @Override
    public CompletableFuture<WritebackResult> unlock(String tenantId, Anchor anchor) {
        return CompletableFuture.completedFuture(new WritebackResult("", ResultCode.AGENT_OFFLINE, PolicyReason.NONE));
    }
}
