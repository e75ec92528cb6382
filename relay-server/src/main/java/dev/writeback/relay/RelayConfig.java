package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Durations;
import dev.writeback.relay.api.TrustedProxies;
import dev.writeback.relay.cluster.ClusterSettings;
import dev.writeback.relay.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the relay needs to start, validated once. Built by {@link RelayConfigLoader} from a YAML file
 * and/or command-line flags, or by {@link #builder}; passed down explicitly.
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
 * @param agentWait how long an operation waits for an agent of its tenant to connect before AGENT_OFFLINE
 *                  ({@code requests.agentWait}; not the status API's {@code reconnectGrace})
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
 * @param store the PostgreSQL database the nodes of a cluster share ({@code store:}); null for the SQLite file in
 *              {@code dataDir}
 * @param cluster how this node reaches the others over NATS ({@code cluster:}); null for a relay on its own
 */
public record RelayConfig(Path dataDir, String bindAddress, int port, Path tlsCertificate, Path tlsKey,
                          List<String> publicHostnames, Duration pingInterval, Duration agentSilenceLimit,
                          Duration heartbeatInterval, Duration heartbeatOverdue, Duration requestTimeout,
                          Duration maxRequestTimeout, Duration agentWait, int maxInFlight,
                          Duration keyRotationInterval, Duration authTimeout, Duration shutdownGrace,
                          Duration keyOverlap, Duration reconnectGrace, RelayLimits limits,
                          TrustedProxies trustedProxies, StoreSettings store, ClusterSettings cluster) {
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
        requireNonNull(agentWait, "requests.agentWait");
        if (agentWait.isNegative()) {
            throw new IllegalArgumentException("requests.agentWait: " + Durations.format(agentWait) + " (expected: >= 0s)");
        }
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
        if (cluster != null && store == null) {
            throw new IllegalArgumentException("cluster: without store.url (expected: the nodes of a cluster share one"
                    + " PostgreSQL store; SQLite belongs to one node)");
        }
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

    /** The defaults of DESIGN §3 for a data directory, on 127.0.0.1:8443 with a self-signed certificate. */
    public static RelayConfig defaults(Path dataDir) {
        return builder(dataDir).build();
    }

    /** A builder holding the defaults of DESIGN §3 for a data directory. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** A builder holding this configuration, to change some of it. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link RelayConfig}; {@link #build()} validates it. Setters are named after the YAML keys. */
    public static final class Builder {
        private Path dataDir;
        private String bindAddress = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Path tlsCertificate;
        private Path tlsKey;
        private List<String> publicHostnames = List.of();
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration agentSilenceLimit = Duration.ofSeconds(90);
        private Duration heartbeatInterval = Duration.ofMinutes(5);
        private Duration heartbeatOverdue = Duration.ofMinutes(12);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private Duration maxRequestTimeout = Duration.ofSeconds(60);
        private Duration agentWait = Duration.ofSeconds(2);
        private int maxInFlight = 256;
        private Duration keyRotationInterval = Duration.ofDays(180);
        private Duration authTimeout = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(20);
        private Duration keyOverlap;
        private Duration reconnectGrace;
        private RelayLimits limits;
        private TrustedProxies trustedProxies;
        private StoreSettings store;
        private ClusterSettings cluster;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        private Builder(RelayConfig c) {
            this(c.dataDir);
            listen(c.bindAddress, c.port).tls(c.tlsCertificate, c.tlsKey).publicHostnames(c.publicHostnames)
                    .pingInterval(c.pingInterval).silenceLimit(c.agentSilenceLimit)
                    .heartbeat(c.heartbeatInterval, c.heartbeatOverdue).requestTimeout(c.requestTimeout)
                    .maxRequestTimeout(c.maxRequestTimeout).agentWait(c.agentWait).maxInFlight(c.maxInFlight)
                    .keyRotation(c.keyRotationInterval, c.keyOverlap).authTimeout(c.authTimeout)
                    .shutdownGrace(c.shutdownGrace).reconnectGrace(c.reconnectGrace).limits(c.limits)
                    .trustedProxies(c.trustedProxies).store(c.store).cluster(c.cluster);
        }

        public Builder dataDir(Path value) { dataDir = value; return this; }

        public Builder listen(String address, int value) { bindAddress = address; port = value; return this; }

        public Builder tls(Path certificate, Path key) { tlsCertificate = certificate; tlsKey = key; return this; }

        public Builder publicHostnames(List<String> value) { publicHostnames = value; return this; }

        public Builder pingInterval(Duration value) { pingInterval = value; return this; }

        public Builder silenceLimit(Duration value) { agentSilenceLimit = value; return this; }

        public Builder heartbeat(Duration interval, Duration overdue) {
            heartbeatInterval = interval;
            heartbeatOverdue = overdue;
            return this;
        }

        public Builder requestTimeout(Duration value) { requestTimeout = value; return this; }

        public Builder maxRequestTimeout(Duration value) { maxRequestTimeout = value; return this; }

        public Builder agentWait(Duration value) { agentWait = value; return this; }

        public Builder maxInFlight(int value) { maxInFlight = value; return this; }

        /** The rotation interval, and the overlap (null for twice the longest request plus a minute). */
        public Builder keyRotation(Duration interval, Duration overlap) {
            keyRotationInterval = interval;
            keyOverlap = overlap;
            return this;
        }

        public Builder authTimeout(Duration value) { authTimeout = value; return this; }

        public Builder shutdownGrace(Duration value) { shutdownGrace = value; return this; }

        public Builder reconnectGrace(Duration value) { reconnectGrace = value; return this; }

        public Builder limits(RelayLimits value) { limits = value; return this; }

        public Builder trustedProxies(TrustedProxies value) { trustedProxies = value; return this; }

        /** The shared PostgreSQL store; null for SQLite in the data directory. */
        public Builder store(StoreSettings value) { store = value; return this; }

        /** The other nodes over NATS; null for a relay on its own. */
        public Builder cluster(ClusterSettings value) { cluster = value; return this; }

        public RelayConfig build() {
            return new RelayConfig(dataDir, bindAddress, port, tlsCertificate, tlsKey, publicHostnames, pingInterval,
                    agentSilenceLimit, heartbeatInterval, heartbeatOverdue, requestTimeout, maxRequestTimeout, agentWait,
                    maxInFlight, keyRotationInterval, authTimeout, shutdownGrace, keyOverlap, reconnectGrace, limits,
                    trustedProxies, store, cluster);
        }
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
