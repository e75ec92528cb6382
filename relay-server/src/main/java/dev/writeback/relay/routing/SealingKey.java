package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.PackageKey;
import java.security.PublicKey;

/**
 * What sealing a request for one agent takes: its current package key and RSA public key, and the names the
 * envelope is bound to.
 *
 * @param tenantId the agent's tenant
 * @param agentId the agent
 * @param key the package key of the current version
 * @param rsa the agent's RSA-OAEP public key of that version
 */
public record SealingKey(String tenantId, String agentId, PackageKey key, PublicKey rsa) {
    public SealingKey {
        requireNonNull(tenantId, "tenantId");
        requireNonNull(agentId, "agentId");
        requireNonNull(key, "key");
        requireNonNull(rsa, "rsa");
    }

    /** The key version. */
    public int version() {
        return key.version();
    }

    /** What a REQUEST envelope with this id is bound to. */
    public EnvelopeContext requestContext(RequestId requestId) {
        return new EnvelopeContext(FrameType.REQUEST, requestId, tenantId, agentId);
    }

    @Override
    public String toString() {
        return "SealingKey[agent=" + agentId + ", version=" + key.version() + "]";
    }
}
