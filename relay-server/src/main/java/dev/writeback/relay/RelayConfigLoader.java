package dev.writeback.relay;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.writeback.protocol.ConfigPaths;
import dev.writeback.protocol.Durations;
import dev.writeback.protocol.files.DurationText;
import dev.writeback.protocol.files.YamlFiles;
import dev.writeback.relay.api.TrustedProxies;
import dev.writeback.relay.cluster.ClusterSettings;
import dev.writeback.relay.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads {@code relay.yaml} into a {@link RelayConfig}, bound by Jackson to the records below as agent.yaml is:
 * unknown keys, wrong types and bad values are errors that name the key and what was expected. Missing keys take
 * the defaults of DESIGN §3 ({@link RelayConfig#defaults}, {@link RelayLimits}, {@link OperationsConfig#DEFAULTS}).
 */
final class RelayConfigLoader {
    /** The file's shape. */
    record Yaml(String dataDir, Listen listen, Tls tls, List<String> publicHostnames, Agents agents, Requests requests,
                @JsonDeserialize(using = DurationText.class) Duration shutdownGrace, Limits limits, Proxies proxies,
                Metrics metrics, StoreYaml store, ClusterYaml cluster) {
        Yaml {
            listen = listen == null ? new Listen(null, null) : listen;
            tls = tls == null ? new Tls(null, null, null, null, null) : tls;
            publicHostnames = publicHostnames == null ? List.of() : publicHostnames;
            agents = agents == null ? new Agents(null, null, null, null, null, null, null, null, null) : agents;
            requests = requests == null ? new Requests(null, null, null) : requests;
            limits = limits == null ? new Limits(null, null, null) : limits;
            proxies = proxies == null ? new Proxies(null, null) : proxies;
            metrics = metrics == null ? new Metrics(null, null, null) : metrics;
        }
    }

    record Listen(String address, Integer port) {}

    record Tls(String certificate, String key,
               @JsonDeserialize(using = DurationText.class) Duration selfSignedValidity,
               @JsonDeserialize(using = DurationText.class) Duration renewBefore,
               @JsonDeserialize(using = DurationText.class) Duration expiryWarning) {}

    record Agents(@JsonDeserialize(using = DurationText.class) Duration pingInterval,
                  @JsonDeserialize(using = DurationText.class) Duration silenceLimit,
                  @JsonDeserialize(using = DurationText.class) Duration heartbeatInterval,
                  @JsonDeserialize(using = DurationText.class) Duration heartbeatOverdue,
                  Integer maxInFlight,
                  @JsonDeserialize(using = DurationText.class) Duration keyRotationInterval,
                  @JsonDeserialize(using = DurationText.class) Duration keyOverlap,
                  @JsonDeserialize(using = DurationText.class) Duration reconnectGrace,
                  @JsonDeserialize(using = DurationText.class) Duration authTimeout) {}

    record Requests(@JsonDeserialize(using = DurationText.class) Duration timeout,
                    @JsonDeserialize(using = DurationText.class) Duration maxTimeout,
                    // offlineGrace: the earlier name of this key, still read
                    @JsonAlias("offlineGrace") @JsonDeserialize(using = DurationText.class) Duration agentWait) {}

    record Limits(Integer maxConnections, Integer maxConnectionsPerAddress, Integer blockingQueue) {}

    record Proxies(List<String> trusted, String protocol) {}

    record Metrics(String address, Integer port, Boolean publicPort) {}

    record StoreYaml(String url, String username, String passwordFile, String passwordEnv, Integer maxPoolSize) {}

    record ClusterYaml(String nodeId, NatsYaml nats) {}

    record NatsYaml(List<String> urls, String username, String passwordFile, String passwordEnv, String caFile) {}

    private RelayConfigLoader() {}

    static RelayConfig load(Path file) {
        Yaml y = read(file);
        Path base = ConfigPaths.baseOf(file);
        var d = RelayConfig.defaults(ConfigPaths.resolve(base, or(y.dataDir(), "relay-data")));
        var proxies = y.proxies();
        boolean proxyProtocol = TrustedProxies.parseProtocol(or(proxies.protocol(), "none"));
        List<String> trusted = proxies.trusted() == null ? List.of() : proxies.trusted();
        if (proxyProtocol && trusted.isEmpty()) {
            throw new IllegalArgumentException("proxies.protocol: proxy-v1v2 without proxies.trusted (expected: the"
                    + " addresses of the load balancers that send the PROXY header)");
        }
        var a = y.agents();
        var r = y.requests();
        var l = y.limits();
        var b = RelayConfig.builder(d.dataDir())
                .listen(or(y.listen().address(), d.bindAddress()), or(y.listen().port(), d.port()))
                .tls(ConfigPaths.resolve(base, y.tls().certificate()), ConfigPaths.resolve(base, y.tls().key()))
                .publicHostnames(y.publicHostnames())
                .keyRotation(or(a.keyRotationInterval(), d.keyRotationInterval()), a.keyOverlap())
                .reconnectGrace(a.reconnectGrace())
                .limits(new RelayLimits(or(l.maxConnections(), RelayLimits.DEFAULT_MAX_CONNECTIONS),
                        or(l.maxConnectionsPerAddress(), RelayLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
                        or(l.blockingQueue(), RelayLimits.DEFAULT_BLOCKING_QUEUE)))
                .trustedProxies(TrustedProxies.of(trusted).withProxyProtocol(proxyProtocol))
                .heartbeat(or(a.heartbeatInterval(), d.heartbeatInterval()), or(a.heartbeatOverdue(), d.heartbeatOverdue()));
        set(a.pingInterval(), b::pingInterval);
        set(a.silenceLimit(), b::silenceLimit);
        set(a.maxInFlight(), b::maxInFlight);
        set(a.authTimeout(), b::authTimeout);
        set(r.timeout(), b::requestTimeout);
        set(r.maxTimeout(), b::maxRequestTimeout);
        set(r.agentWait(), b::agentWait);
        set(y.shutdownGrace(), b::shutdownGrace);
        var st = y.store();
        if (st != null && st.url() != null) {
            b.store(new StoreSettings(st.url(), st.username(), ConfigPaths.resolve(base, st.passwordFile()),
                    st.passwordEnv(), or(st.maxPoolSize(), StoreSettings.DEFAULT_POOL_SIZE)));
        } else if (st != null && (st.username() != null || st.passwordFile() != null || st.passwordEnv() != null)) {
            throw new IllegalArgumentException("store.url: missing (expected: jdbc:postgresql://host:port/database;"
                    + " remove the store section to use SQLite in the data directory)");
        }
        var cl = y.cluster();
        if (cl != null) {
            var n = cl.nats();
            if (n == null || n.urls() == null) {
                throw new IllegalArgumentException("cluster.nats.urls: missing (expected: the NATS servers, tls://host:port)");
            }
            b.cluster(new ClusterSettings(cl.nodeId(), n.urls(), n.username(), ConfigPaths.resolve(base, n.passwordFile()),
                    n.passwordEnv(), ConfigPaths.resolve(base, n.caFile())));
        }
        return b.build();
    }

    private static <T> void set(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /** The certificate renewal and metrics listener settings of a relay.yaml ({@code tls.*}, {@code metrics.*}). */
    static OperationsConfig operations(Path file) {
        Yaml y = read(file);
        var d = OperationsConfig.DEFAULTS;
        var m = y.metrics();
        return new OperationsConfig(or(y.tls().selfSignedValidity(), d.selfSignedValidity()),
                or(y.tls().renewBefore(), d.renewBefore()), or(y.tls().expiryWarning(), d.expiryWarning()),
                or(m.address(), d.metricsAddress()), or(m.port(), 9465), or(m.publicPort(), d.metricsOnPublicPort()));
    }

    private static Yaml read(Path file) {
        Yaml y = YamlFiles.read(file, Yaml.class, "a relay.yaml file");
        return y != null ? y : new Yaml(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Parses a duration (see {@link Durations}); the error names {@code key}. */
    static Duration parseDuration(String key, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static <T> T or(T value, T dflt) {
        return value != null ? value : dflt;
    }
}
