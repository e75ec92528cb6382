package dev.writeback.relay.routing;

import static java.util.Objects.requireNonNull;

/**
 * A request sealed for one agent: what routing carries instead of the request itself. The bytes open only with
 * that agent's key of {@code keyVersion} and only as a REQUEST of this request id, tenant and agent.
 *
 * @param agentId the agent it was sealed for
 * @param keyVersion the package key version it was sealed with
 * @param sealed the envelope (RSA-OAEP wrapped key, AES-GCM body)
 */
public record SealedRequest(String agentId, int keyVersion, byte[] sealed) {
    public SealedRequest {
        requireNonNull(agentId, "agentId");
        requireNonNull(sealed, "sealed");
        if (keyVersion < 1) {
            throw new IllegalArgumentException("keyVersion: " + keyVersion + " (expected: 1 or more)");
        }
    }

    @Override
    public String toString() {
        return "SealedRequest[agent=" + agentId + ", keyVersion=" + keyVersion + ", " + sealed.length + " bytes]";
    }
}
