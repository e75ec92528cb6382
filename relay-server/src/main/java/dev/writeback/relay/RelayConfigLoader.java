package dev.writeback.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.writeback.protocol.ConfigPaths;
import dev.writeback.protocol.Durations;
import dev.writeback.relay.api.TrustedProxies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code relay.yaml} into a {@link RelayConfig}: unknown keys, wrong types and bad values are errors that
 * name the key and what was expected. Missing keys take the defaults of DESIGN §3.
 */
final class RelayConfigLoader {
    private static final Set<String> TOP = Set.of("dataDir", "listen", "tls", "publicHostnames", "agents", "requests", "shutdownGrace",
            "limits", "proxies", "metrics");
    private static final Set<String> LISTEN = Set.of("address", "port");
    private static final Set<String> TLS = Set.of("certificate", "key", "selfSignedValidity", "renewBefore", "expiryWarning");
    private static final Set<String> METRICS = Set.of("address", "port", "publicPort");
    private static final Set<String> AGENTS = Set.of("pingInterval", "silenceLimit", "heartbeatInterval", "heartbeatOverdue",
            "maxInFlight", "keyRotationInterval", "keyOverlap", "reconnectGrace", "authTimeout");
    private static final Set<String> REQUESTS = Set.of("timeout", "maxTimeout", "offlineGrace");
    private static final Set<String> LIMITS = Set.of("maxConnections", "maxConnectionsPerAddress", "blockingQueue");
    private static final Set<String> PROXIES = Set.of("trusted", "protocol");

    private RelayConfigLoader() {}

    static RelayConfig load(Path file) throws IOException {
        JsonNode root = read(file);
        Path base = ConfigPaths.baseOf(file);
        var d = RelayConfig.defaults(ConfigPaths.resolve(base, text(root, "dataDir", "relay-data")));
        JsonNode listen = section(root, "listen", LISTEN);
        JsonNode tls = section(root, "tls", TLS);
        JsonNode agents = section(root, "agents", AGENTS);
        JsonNode requests = section(root, "requests", REQUESTS);
        JsonNode limits = section(root, "limits", LIMITS);
        JsonNode proxies = section(root, "proxies", PROXIES);
        if (TrustedProxies.parseProtocol(text(proxies, "protocol", "none")) && strings(proxies, "trusted", "proxies.trusted", "").isEmpty()) {
            throw new IllegalArgumentException("proxies.protocol: proxy-v1v2 without proxies.trusted (expected: the"
                    + " addresses of the load balancers that send the PROXY header)");
        }
        String cert = text(tls, "certificate", null);
        String key = text(tls, "key", null);
        return new RelayConfig(d.dataDir(), text(listen, "address", d.bindAddress()), integer(listen, "listen.port", "port", d.port()),
                ConfigPaths.resolve(base, cert), ConfigPaths.resolve(base, key), strings(root, "publicHostnames", "publicHostnames", "a list of host names"),
                duration(agents, "agents.pingInterval", "pingInterval", d.pingInterval()),
                duration(agents, "agents.silenceLimit", "silenceLimit", d.agentSilenceLimit()),
                duration(agents, "agents.heartbeatInterval", "heartbeatInterval", d.heartbeatInterval()),
                duration(agents, "agents.heartbeatOverdue", "heartbeatOverdue", d.heartbeatOverdue()),
                duration(requests, "requests.timeout", "timeout", d.requestTimeout()),
                duration(requests, "requests.maxTimeout", "maxTimeout", d.maxRequestTimeout()),
                duration(requests, "requests.offlineGrace", "offlineGrace", d.offlineGrace()),
                integer(agents, "agents.maxInFlight", "maxInFlight", d.maxInFlight()),
                duration(agents, "agents.keyRotationInterval", "keyRotationInterval", d.keyRotationInterval()),
                duration(agents, "agents.authTimeout", "authTimeout", d.authTimeout()),
                duration(root, "shutdownGrace", "shutdownGrace", d.shutdownGrace()),
                duration(agents, "agents.keyOverlap", "keyOverlap", null),
                duration(agents, "agents.reconnectGrace", "reconnectGrace", null),
                new RelayLimits(integer(limits, "limits.maxConnections", "maxConnections", RelayLimits.DEFAULT_MAX_CONNECTIONS),
                        integer(limits, "limits.maxConnectionsPerAddress", "maxConnectionsPerAddress",
                                RelayLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
                        integer(limits, "limits.blockingQueue", "blockingQueue", RelayLimits.DEFAULT_BLOCKING_QUEUE)),
                TrustedProxies.of(strings(proxies, "trusted", "proxies.trusted", "a list of IP addresses or CIDR ranges"))
                        .withProxyProtocol(TrustedProxies.parseProtocol(text(proxies, "protocol", "none"))));
    }

    /** The certificate renewal and metrics listener settings of a relay.yaml ({@code tls.*}, {@code metrics.*}). */
    static OperationsConfig operations(Path file) throws IOException {
        JsonNode root = read(file);
        JsonNode tls = section(root, "tls", TLS);
        JsonNode metrics = section(root, "metrics", METRICS);
        var d = OperationsConfig.DEFAULTS;
        return new OperationsConfig(duration(tls, "tls.selfSignedValidity", "selfSignedValidity", d.selfSignedValidity()),
                duration(tls, "tls.renewBefore", "renewBefore", d.renewBefore()),
                duration(tls, "tls.expiryWarning", "expiryWarning", d.expiryWarning()),
                text(metrics, "address", d.metricsAddress()), integer(metrics, "metrics.port", "port", 9465),
                bool(metrics, "metrics.publicPort", "publicPort", d.metricsOnPublicPort()));
    }

    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not found (expected: a relay.yaml file)");
        }
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": (top): not a mapping (expected: keys such as dataDir, listen, tls)");
        }
        known(root, TOP, "");
        return root;
    }

    /** Parses a duration (see {@link Durations}); the error names {@code key}. */
    static Duration parseDuration(String key, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode section(JsonNode root, String name, Set<String> keys) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(name + ": " + n.getNodeType() + " (expected: a mapping)");
        }
        known(n, keys, name + ".");
        return n;
    }

    private static void known(JsonNode node, Set<String> keys, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new IllegalArgumentException(prefix + k + ": unknown key (expected one of: " + new java.util.TreeSet<>(keys) + ")");
            }
        }
    }

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(key + ": " + v + " (expected: a string)");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode n, String path, String key, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(path + ": " + v + " (expected: true or false)");
        }
        return v.asBoolean();
    }

    private static int integer(JsonNode n, String path, String key, int dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(path + ": " + v + " (expected: an integer)");
        }
        return v.asInt();
    }

    private static Duration duration(JsonNode n, String path, String key, Duration dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return parseDuration(path, v.asText());
    }

    private static List<String> strings(JsonNode n, String key, String path, String expected) {
        JsonNode v = n.get(key);
        var out = new ArrayList<String>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(path + ": " + v.getNodeType() + " (expected: " + expected + ")");
        }
        v.forEach(x -> out.add(x.asText()));
        return out;
    }
}
