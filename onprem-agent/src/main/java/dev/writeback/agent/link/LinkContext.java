package dev.writeback.agent.link;

import static java.util.Objects.requireNonNull;

import dev.writeback.agent.AgentKeys;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the relay link needs from the agent: who it is, how to reach and trust the relay, its keys, and the
 * directory work it hands requests to.
 *
 * @param relay the relay's base URL ({@code https://host:port})
 * @param tls how to trust the relay
 * @param proxy an HTTP CONNECT proxy, or null
 * @param tenantId the tenant
 * @param agentId the agent's id
 * @param agentVersion the agent's version, reported in AUTH and heartbeats
 * @param identityKey the ECDSA P-256 key that signs AUTH
 * @param keys the encryption key ring
 * @param stateDir where new key versions are written
 * @param processor applies one opened request to the directories (blocking; runs on {@code workers})
 * @param health the directories' health for heartbeats
 * @param workers threads for directory operations and key generation
 * @param heartbeatOverride the heartbeat interval, or null to use the relay's
 * @param clock the clock
 * @param random randomness for nonces and jitter
 * @param timings keepalive, dead-peer and key-overlap timings; null for the production values
 * @param limits the agent's own in-flight ceiling; null for the defaults
 */
public record LinkContext(URI relay, RelayTrust tls, ProxySettings proxy, String tenantId, String agentId, String agentVersion,
                          PrivateKey identityKey, AgentKeys keys, Path stateDir,
                          Function<PasswordRequest, Outcome> processor, Supplier<List<DirectoryStatus>> health,
                          ExecutorService workers, Duration heartbeatOverride, Clock clock, SecureRandom random,
                          LinkTimings timings, InFlightLimits limits) {
    public LinkContext {
        requireNonNull(relay, "relay");
        requireNonNull(tls, "tls");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(agentId, "agentId");
        requireNonNull(agentVersion, "agentVersion");
        requireNonNull(identityKey, "identityKey");
        requireNonNull(keys, "keys");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(processor, "processor");
        requireNonNull(health, "health");
        requireNonNull(workers, "workers");
        requireNonNull(clock, "clock");
        requireNonNull(random, "random");
        timings = timings == null ? LinkTimings.defaults() : timings;
        limits = limits == null ? InFlightLimits.defaults() : limits;
    }

    /** The relay's host name as the agent dialed it (signed into AUTH). */
    public String relayHost() {
        return relay.getHost();
    }

    /** The relay's port (443 when the URL has none). */
    public int relayPort() {
        return relay.getPort() > 0 ? relay.getPort() : 443;
    }

    @Override
    public String toString() {
        return "LinkContext[relay=" + relay + ", agentId=" + agentId + ", tenantId=" + tenantId + "]";
    }
}
