package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Durations;
import dev.writeback.relay.api.TrustedProxies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the relay needs to start, validated once. Built by {@link RelayConfigLoader} from a YAML file
 * and/or command-line flags; passed down explicitly.
 *
 * @param dataDir where the store, master key and generated certificate live
 * @param bindAddress the address the TLS port binds to
 * @param port the TLS port (REST API, registration, agent WebSocket); 0 = ephemeral
 * @param tlsCertificate PEM certificate chain, or null to create a self-signed one in the data directory
 * @param tlsKey PEM private key matching {@code tlsCertificate}, or null
 * @param publicHostnames names agents use to reach the relay (certificate SANs, AUTH relay-host check); empty = any
 * @param pingInterval the agent's keepalive interval, announced in READY
 * @param agentSilenceLimit close an agent connection that sent nothing for this long
 * @param heartbeatInterval the agent's heartbeat interval, announced in READY
 * @param heartbeatOverdue warn when an agent's last heartbeat is older than this
 * @param requestTimeout default deadline of an operation
 * @param maxRequestTimeout largest deadline a caller may ask for
 * @param offlineGrace how long an operation waits for a reconnecting agent before AGENT_OFFLINE
 * @param maxInFlight requests in flight per agent connection before BUSY
 * @param keyRotationInterval age after which an agent's keys are rolled
 * @param authTimeout how long a new agent connection may take to authenticate
 * @param shutdownGrace how long shutdown lets in-flight operations finish after GOAWAY
 * @param keyOverlap how long a replaced key version stays usable before it is destroyed; null for twice the
 *                   longest request plus a minute
 * @param reconnectGrace how long the status API shows a disconnected agent as RECONNECTING before it counts as
 *                       OFFLINE and the tenant as DEGRADED; null for 2 minutes
 * @param limits open connections and queued blocking work the relay takes on; null for {@link RelayLimits#DEFAULTS}
 * @param trustedProxies proxies whose {@code X-Forwarded-For} names the client; null for none
 */
public record RelayConfig(Path dataDir, String bindAddress, int port, Path tlsCertificate, Path tlsKey,
                          List<String> publicHostnames, Duration pingInterval, Duration agentSilenceLimit,
                          Duration heartbeatInterval, Duration heartbeatOverdue, Duration requestTimeout,
                          Duration maxRequestTimeout, Duration offlineGrace, int maxInFlight,
                          Duration keyRotationInterval, Duration authTimeout, Duration shutdownGrace,
                          Duration keyOverlap, Duration reconnectGrace, RelayLimits limits,
                          TrustedProxies trustedProxies) {
    /** The default TLS port. */
    public static final int DEFAULT_PORT = 8443;

    public RelayConfig {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(bindAddress, "bindAddress");
        publicHostnames = List.copyOf(publicHostnames);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen.port: " + port + " (expected: 0..65535)");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls: " + (tlsCertificate == null ? "key without certificate" : "certificate without key")
                    + " (expected: both tls.certificate and tls.key, or neither for a self-signed certificate)");
        }
        positive(pingInterval, "agents.pingInterval");
        positive(agentSilenceLimit, "agents.silenceLimit");
        positive(heartbeatInterval, "agents.heartbeatInterval");
        positive(heartbeatOverdue, "agents.heartbeatOverdue");
        positive(requestTimeout, "requests.timeout");
        positive(maxRequestTimeout, "requests.maxTimeout");
        requireNonNull(offlineGrace, "offlineGrace");
        positive(keyRotationInterval, "agents.keyRotationInterval");
        positive(authTimeout, "agents.authTimeout");
        requireNonNull(shutdownGrace, "shutdownGrace");
        keyOverlap = keyOverlap == null ? maxRequestTimeout.multipliedBy(2).plusSeconds(60) : keyOverlap;
        positive(keyOverlap, "agents.keyOverlap");
        reconnectGrace = reconnectGrace == null ? Duration.ofMinutes(2) : reconnectGrace;
        if (reconnectGrace.isNegative()) {
            throw new IllegalArgumentException("agents.reconnectGrace: " + Durations.format(reconnectGrace) + " (expected: >= 0s)");
        }
        limits = limits == null ? RelayLimits.DEFAULTS : limits;
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        if (requestTimeout.compareTo(maxRequestTimeout) > 0) {
            throw new IllegalArgumentException("requests.timeout: " + Durations.format(requestTimeout)
                    + " (expected: <= requests.maxTimeout " + Durations.format(maxRequestTimeout) + ")");
        }
        if (maxInFlight < 1 || maxInFlight > 65535) {
            throw new IllegalArgumentException("agents.maxInFlight: " + maxInFlight + " (expected: 1..65535)");
        }
        if (agentSilenceLimit.compareTo(pingInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("agents.silenceLimit: " + Durations.format(agentSilenceLimit)
                    + " (expected: >= 2 x agents.pingInterval " + Durations.format(pingInterval) + ")");
        }
    }

    /** A configuration with the default key overlap (twice the longest request plus a minute). */
    public RelayConfig(Path dataDir, String bindAddress, int port, Path tlsCertificate, Path tlsKey,
                       List<String> publicHostnames, Duration pingInterval, Duration agentSilenceLimit,
                       Duration heartbeatInterval, Duration heartbeatOverdue, Duration requestTimeout,
                       Duration maxRequestTimeout, Duration offlineGrace, int maxInFlight,
                       Duration keyRotationInterval, Duration authTimeout, Duration shutdownGrace) {
        this(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval, agentSilenceLimit,
                heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace, maxInFlight,
                keyRotationInterval, authTimeout, shutdownGrace, null, null, null, null);
    }

    /** The defaults of DESIGN §3 for a data directory, on 127.0.0.1:8443 with a self-signed certificate. */
    public static RelayConfig defaults(Path dataDir) {
        return new RelayConfig(dataDir, "127.0.0.1", DEFAULT_PORT, null, null, List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(90), Duration.ofMinutes(5), Duration.ofMinutes(12), Duration.ofSeconds(15),
                Duration.ofSeconds(60), Duration.ofSeconds(2), 256, Duration.ofDays(180), Duration.ofSeconds(10),
                Duration.ofSeconds(20));
    }

    /** A copy listening on another address and port. */
    public RelayConfig withListen(String bindAddress, int port) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits, trustedProxies);
    }

    /** A copy with other heartbeat timings (tests and demos use short ones). */
    public RelayConfig withHeartbeat(Duration interval, Duration overdue) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, interval, overdue, requestTimeout, maxRequestTimeout, offlineGrace, maxInFlight,
                keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits, trustedProxies);
    }

    /** A copy with another key rotation interval and overlap (tests use seconds). */
    public RelayConfig withKeyRotation(Duration interval, Duration overlap) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, interval, authTimeout, shutdownGrace, overlap, reconnectGrace, limits, trustedProxies);
    }

    /** A copy with another shutdown grace. */
    public RelayConfig withShutdownGrace(Duration grace) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, grace, keyOverlap, reconnectGrace, limits, trustedProxies);
    }

    /** A copy with another reconnect grace (how long the status shows a lost agent as RECONNECTING). */
    public RelayConfig withReconnectGrace(Duration grace) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, grace, limits, trustedProxies);
    }

    /** A copy with other connection and queue limits. */
    public RelayConfig withLimits(RelayLimits other) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, other, trustedProxies);
    }

    /** A copy trusting other proxies' {@code X-Forwarded-For}. */
    public RelayConfig withTrustedProxies(TrustedProxies proxies) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits, proxies);
    }

    /** A copy with another offline grace (how long a request waits for a reconnecting agent). */
    public RelayConfig withOfflineGrace(Duration grace) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, grace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits, trustedProxies);
    }

    /** A copy with the data directory, address, port, TLS files and host names of a command line. */
    public RelayConfig withServing(Path dataDir, String bindAddress, int port, Path tlsCertificate, Path tlsKey,
                                   List<String> publicHostnames) {
        return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, offlineGrace,
                maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits, trustedProxies);
    }

    /**
     * How often the relay looks for overdue heartbeats, due key rotations and retired keys past their overlap:
     * every 30 s, more often when the rotation interval or the overlap is shorter (tests), never under 100 ms.
     */
    public Duration housekeepingInterval() {
        Duration d = Duration.ofSeconds(30);
        for (Duration limit : List.of(keyRotationInterval.dividedBy(4), keyOverlap.dividedBy(4))) {
            d = limit.compareTo(d) < 0 ? limit : d;
        }
        return d.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : d;
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + Durations.format(d) + " (expected: > 0s)");
        }
    }
}
