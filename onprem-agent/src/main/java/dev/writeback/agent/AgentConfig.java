package dev.writeback.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.writeback.agent.directory.DirectoryConfig;
import dev.writeback.agent.directory.DirectoryType;
import dev.writeback.agent.directory.DirectoryConfigException;
import dev.writeback.agent.embedded.EmbeddedDirectoryConfig;
import dev.writeback.agent.link.InFlightLimits;
import dev.writeback.agent.link.LinkTimings;
import dev.writeback.protocol.ConfigPaths;
import dev.writeback.protocol.Durations;
import dev.writeback.protocol.files.DurationText;
import dev.writeback.protocol.files.YamlFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration ({@code agent.yaml}), validated once at start with errors that name the key.
 *
 * @param stateDir the state directory written by {@code agent register} (relative paths are resolved against the
 *                 configuration file's directory)
 * @param relay how to reach the relay; its URL defaults to the one used at registration
 * @param heartbeatInterval overrides the relay's heartbeat interval when set
 * @param workers threads that run directory operations
 * @param directories the directories this agent writes to
 * @param limits the agent's own in-flight ceiling ({@code limits:}), whatever the relay announces
 * @param metricsListen {@code host:port} of the agent's Prometheus endpoint ({@code metrics.listen}), or null: off
 * @param hashSync password hash sync ({@code hashSync:}), or null: off
 */
public record AgentConfig(Path stateDir, Relay relay, Duration heartbeatInterval, int workers,
                          List<DirectoryConfig> directories, InFlightLimits limits, InetSocketAddress metricsListen,
                          HashSync hashSync) {
    public AgentConfig {
        requireNonNull(stateDir, "stateDir");
        relay = relay == null ? new Relay(null, null, null, null, null, null) : relay;
        directories = List.copyOf(directories);
        limits = limits == null ? InFlightLimits.defaults() : limits;
    }

    /**
     * How much the agent holds at once, whatever the relay's READY announces.
     *
     * @param maxInFlight requests accepted and not yet answered (default 256; the relay's value applies when lower)
     * @param maxInFlightBytes sealed bytes of those requests (default 4 MiB)
     */
    public record Limits(Integer maxInFlight, Long maxInFlightBytes) {
        InFlightLimits toLimits() {
            return new InFlightLimits(maxInFlight == null ? InFlightLimits.DEFAULT_MAX_REQUESTS : maxInFlight,
                    maxInFlightBytes == null ? InFlightLimits.DEFAULT_MAX_BYTES : maxInFlightBytes);
        }
    }

    /**
     * How the agent reaches the relay.
     *
     * @param url the relay URL ({@code https://host:port}); null = the one in the state directory
     * @param proxy an HTTP CONNECT proxy, or null
     * @param keepAlive the adaptive keepalive, or null for 30 s / floor 10 s / idle gap 10 s
     * @param deadPeerTimeout reconnect when nothing arrived from the relay for this long (default 75 s)
     * @param keyOverlap keep a replaced key version this long before destroying it (default 3 min)
     * @param links links to distinct relay nodes (default 2; a relay on its own keeps one)
     */
    public record Relay(String url, Proxy proxy, KeepAlive keepAlive,
                        @JsonDeserialize(using = DurationText.class) Duration deadPeerTimeout,
                        @JsonDeserialize(using = DurationText.class) Duration keyOverlap, Integer links) {
        /** Links to distinct relay nodes unless configured; against a relay on its own only one stays. */
        public static final int DEFAULT_LINKS = 2;

        public Relay {
            if (links != null && (links < 1 || links > 8)) {
                throw new IllegalArgumentException("relay.links: " + links + " (expected: 1..8)");
            }
        }

        Relay withPathsResolvedAgainst(Path base) {
            return new Relay(url, proxy == null ? null : proxy.withPathsResolvedAgainst(base), keepAlive, deadPeerTimeout,
                    keyOverlap, links);
        }

        /** How many links to distinct relay nodes the agent keeps (default 2). */
        public int linkCount() {
            return links == null ? DEFAULT_LINKS : links;
        }

        /** The link timings these settings give, the production values where unset. */
        public LinkTimings timings() {
            var d = LinkTimings.defaults();
            var k = keepAlive == null ? new KeepAlive(null, null, null) : keepAlive;
            Duration interval = k.interval() == null ? d.keepAlive() : k.interval();
            Duration floor = k.floor() == null ? min(d.keepAliveFloor(), interval) : k.floor();
            Duration dead = deadPeerTimeout == null ? max(d.deadPeer(), interval.multipliedBy(2)) : deadPeerTimeout;
            return new LinkTimings(interval, floor, max(d.keepAliveCeiling(), interval),
                    k.idleGap() == null ? min(d.idleGap(), interval) : k.idleGap(), d.cleanPeriod(), dead,
                    keyOverlap == null ? d.keyOverlap() : keyOverlap);
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }

    /**
     * The adaptive WebSocket ping (DESIGN §3): starts at {@code interval}, halves after a connection died after an
     * idle gap of at least {@code idleGap}, never below {@code floor}.
     *
     * @param interval the interval to start from (default 30 s)
     * @param floor the lowest interval (default 10 s)
     * @param idleGap a drop after at least this long without traffic counts as an idle drop (default 10 s)
     */
    public record KeepAlive(@JsonDeserialize(using = DurationText.class) Duration interval,
                            @JsonDeserialize(using = DurationText.class) Duration floor,
                            @JsonDeserialize(using = DurationText.class) Duration idleGap) {}

    /** {@code metrics:} of agent.yaml. */
    public record Metrics(@JsonProperty("listen") String listen) {}

    /**
     * Password hash sync from one directory to the relay (docs/hash-sync.md).
     *
     * @param directory the {@code directories[].name} whose users are synced
     * @param source where the hashes come from: {@code embedded} (the embedded directory's own NT hashes, every
     *     user, checked every 2 minutes), {@code samba} (a Samba AD DC the agent runs on, through
     *     {@code samba-tool user syncpasswords}: every user in the directory's scopes, changes checked every 2
     *     minutes) or {@code writeback} (only passwords this agent sets or changes; for an Active Directory whose
     *     hashes the agent cannot read). Every source also pushes writeback's own resets and changes at once.
     *     Default: {@code embedded} for an embedded directory, else {@code writeback}.
     * @param samba settings of the {@code samba} source, or null for the defaults
     */
    public record HashSync(@JsonProperty("directory") String directory, @JsonProperty("source") String source,
                           @JsonProperty("samba") Samba samba) {
        /** Sources, as written in the file. */
        public static final List<String> SOURCES = List.of("embedded", "samba", "writeback");

        public HashSync(String directory, String source) {
            this(directory, source, null);
        }
    }

    /**
     * {@code hashSync.samba:}, the {@code samba} source.
     *
     * @param command how samba-tool is started, as an argument list (default {@code [samba-tool]})
     * @param configFile the DC's smb.conf (default: samba-tool's own default)
     * @param timeout how long one samba-tool run may take (default 10 min: a first read of 100,000 users)
     */
    public record Samba(@JsonProperty("command") List<String> command, @JsonProperty("configFile") String configFile,
                        @JsonProperty("timeout") @JsonDeserialize(using = DurationText.class) Duration timeout) {
        /** The defaults. */
        public static final Samba DEFAULTS = new Samba(List.of("samba-tool"), null, Duration.ofMinutes(10));

        public Samba {
            command = command == null || command.isEmpty() ? List.of("samba-tool") : List.copyOf(command);
            timeout = timeout == null ? Duration.ofMinutes(10) : timeout;
        }
    }

    /**
     * An HTTP CONNECT proxy (corporate networks).
     *
     * @param url {@code http://host:port}
     * @param username optional basic-auth user
     * @param passwordFile file holding the basic-auth password
     * @param passwordEnv environment variable holding the basic-auth password
     */
    public record Proxy(String url, String username, String passwordFile, String passwordEnv) {
        Proxy withPathsResolvedAgainst(Path base) {
            return new Proxy(url, username, ConfigPaths.resolveText(base, passwordFile), passwordEnv);
        }
    }

    /** What the YAML file holds, before paths are resolved and values checked. */
    private record Raw(@JsonProperty("stateDir") String stateDir, @JsonProperty("relay") Relay relay,
                       @JsonProperty("heartbeatInterval") @JsonDeserialize(using = DurationText.class) Duration heartbeatInterval,
                       @JsonProperty("workers") Integer workers,
                       @JsonProperty("directories") List<DirectoryConfig> directories,
                       @JsonProperty("limits") Limits limits,
                       @JsonProperty("metrics") Metrics metrics,
                       @JsonProperty("hashSync") HashSync hashSync) {}

    /** Reads and validates a configuration file. */
    public static AgentConfig load(Path file) throws ConfigException {
        requireNonNull(file, "file");
        Raw raw;
        try {
            raw = YamlFiles.read(file, Raw.class, "an agent.yaml file");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (raw == null) {
            throw new ConfigException(file + ": empty (expected: stateDir and directories)");
        }
        Path base = ConfigPaths.baseOf(file);
        if (raw.stateDir() == null || raw.stateDir().isBlank()) {
            throw new ConfigException(file + ": stateDir: missing (expected: the directory written by `agent register`)");
        }
        Path stateDir = ConfigPaths.resolve(base, raw.stateDir());
        int workers = raw.workers() == null ? 4 : raw.workers();
        if (workers < 1 || workers > 64) {
            throw new ConfigException(file + ": workers: " + workers + " (expected: 1..64)");
        }
        if (raw.heartbeatInterval() != null && raw.heartbeatInterval().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(file + ": heartbeatInterval: " + raw.heartbeatInterval() + " (expected: >= 1s)");
        }
        List<DirectoryConfig> dirs = raw.directories() == null ? List.of() : raw.directories();
        if (dirs.isEmpty()) {
            throw new ConfigException(file + ": directories: missing (expected: at least one directory)");
        }
        dirs = resolvePaths(file, base, stateDir, dirs);
        var names = new HashSet<String>();
        for (int i = 0; i < dirs.size(); i++) {
            try {
                dirs.get(i).validate(i);
            } catch (DirectoryConfigException e) {
                throw new ConfigException(file + ": " + e.getMessage());
            }
            if (!names.add(dirs.get(i).name())) {
                throw new ConfigException(file + ": directories[" + i + "].name: " + dirs.get(i).name() + " (expected: unique)");
            }
        }
        Relay relay = raw.relay() == null ? null : raw.relay().withPathsResolvedAgainst(base);
        validateRelay(file, relay);
        InFlightLimits limits;
        try {
            limits = raw.limits() == null ? InFlightLimits.defaults() : raw.limits().toLimits();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": limits." + e.getMessage());
        }
        return new AgentConfig(stateDir, relay, raw.heartbeatInterval(), workers, dirs, limits,
                metricsListen(file, raw.metrics()), hashSync(file, raw.hashSync(), dirs));
    }

    /**
     * Every file key of the directories resolved against the configuration file's folder. An embedded directory
     * whose relative {@code dataDir} was, before this rule, taken inside the state directory is refused rather than
     * started empty in the new place.
     */
    private static List<DirectoryConfig> resolvePaths(Path file, Path base, Path stateDir, List<DirectoryConfig> dirs)
            throws ConfigException {
        var out = new ArrayList<DirectoryConfig>(dirs.size());
        for (int i = 0; i < dirs.size(); i++) {
            DirectoryConfig d = dirs.get(i);
            EmbeddedDirectoryConfig e = d.embedded();
            if (e != null && !e.dataDir().isBlank() && !Path.of(e.dataDir()).isAbsolute()) {
                Path now = ConfigPaths.resolve(base, e.dataDir());
                Path before = ConfigPaths.resolve(stateDir, e.dataDir());
                if (!now.equals(before) && !Files.exists(now) && Files.isDirectory(before)) {
                    throw new ConfigException(file + ": directories[" + i + "].embedded.dataDir: " + e.dataDir()
                            + " is now " + now + " (relative to this file) but the data is in " + before
                            + " (expected: move it there, or set dataDir to " + before + ")");
                }
            }
            out.add(d.withPathsResolvedAgainst(base));
        }
        return out;
    }

    private static HashSync hashSync(Path file, HashSync h, List<DirectoryConfig> dirs) throws ConfigException {
        if (h == null) {
            return null;
        }
        var names = dirs.stream().map(DirectoryConfig::name).toList();
        DirectoryConfig dir = dirs.stream().filter(d -> d.name().equals(h.directory())).findFirst().orElseThrow(() ->
                new ConfigException(file + ": hashSync.directory: " + h.directory() + " (expected: one of " + names + ")"));
        boolean embedded = dir.is(DirectoryType.EMBEDDED);
        String source = h.source() == null ? (embedded ? "embedded" : "writeback") : h.source();
        if (!HashSync.SOURCES.contains(source)) {
            throw new ConfigException(file + ": hashSync.source: " + source + " (expected: one of " + HashSync.SOURCES + ")");
        }
        if (source.equals("embedded") && !embedded) {
            throw new ConfigException(file + ": hashSync.source: embedded, but directory " + dir.name() + " is of type "
                    + dir.type() + " (expected: source samba or writeback, or an embedded directory)");
        }
        if (!embedded && !dir.is(DirectoryType.ACTIVE_DIRECTORY)) {
            throw new ConfigException(file + ": hashSync.directory: " + dir.name() + " is of type " + dir.type()
                    + " (expected: an Active Directory or embedded directory: hash sync is the NT hash of AD)");
        }
        if (source.equals("samba") && embedded) {
            throw new ConfigException(file + ": hashSync.source: samba, but directory " + dir.name()
                    + " is the embedded directory (expected: source embedded, or an active-directory directory on a Samba DC)");
        }
        if (h.samba() != null && !source.equals("samba")) {
            throw new ConfigException(file + ": hashSync.samba: set, but hashSync.source is " + source
                    + " (expected: source samba, or no samba: block)");
        }
        Samba samba = null;
        if (source.equals("samba")) {
            samba = h.samba() == null ? Samba.DEFAULTS : h.samba();
            if (samba.timeout().isNegative() || samba.timeout().isZero()) {
                throw new ConfigException(file + ": hashSync.samba.timeout: " + samba.timeout() + " (expected: more than 0)");
            }
            if (samba.configFile() != null) {
                Path conf = ConfigPaths.resolve(ConfigPaths.baseOf(file), samba.configFile());
                if (!Files.isRegularFile(conf)) {
                    throw new ConfigException(file + ": hashSync.samba.configFile: " + conf
                            + ": not found (expected: the DC's smb.conf)");
                }
                samba = new Samba(samba.command(), conf.toString(), samba.timeout());
            }
        }
        return new HashSync(dir.name(), source, samba);
    }

    private static InetSocketAddress metricsListen(Path file, Metrics metrics) throws ConfigException {
        if (metrics == null || metrics.listen() == null || metrics.listen().isBlank()) {
            return null;
        }
        var m = java.util.regex.Pattern.compile("(\\[[0-9a-fA-F:]+]|[^:\\s]+):(\\d{1,5})").matcher(metrics.listen().strip());
        int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
        if (port < 0 || port > 65535) {
            throw new ConfigException(file + ": metrics.listen: " + metrics.listen()
                    + " (expected: host:port on this machine, e.g. 127.0.0.1:9464)");
        }
        return InetSocketAddress.createUnresolved(m.group(1).replaceAll("^\\[|]$", ""), port);
    }

    private static void validateRelay(Path file, Relay relay) throws ConfigException {
        if (relay == null) {
            return;
        }
        if (relay.url() != null && !relay.url().matches("(?i)(https|wss)://[^/\\s]+(/.*)?")) {
            throw new ConfigException(file + ": relay.url: " + relay.url() + " (expected: https://host:port)");
        }
        try {
            relay.timings();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": relay.keepAlive/deadPeerTimeout/keyOverlap: " + e.getMessage());
        }
        Proxy proxy = relay.proxy();
        if (proxy != null) {
            if (proxy.url() == null || !proxy.url().matches("(?i)http://[^/\\s:]+:\\d+/?")) {
                throw new ConfigException(file + ": relay.proxy.url: " + proxy.url() + " (expected: http://host:port)");
            }
            if (proxy.username() != null && proxy.passwordFile() == null && proxy.passwordEnv() == null) {
                throw new ConfigException(file + ": relay.proxy.passwordFile: missing (expected: passwordFile or passwordEnv with username)");
            }
        }
    }

    /** Reads the proxy password from its file or environment variable; null when there is none. */
    public char[] proxyPassword(Map<String, String> env) throws ConfigException {
        Proxy p = relay.proxy();
        if (p == null || p.username() == null) {
            return null;
        }
        if (p.passwordEnv() != null) {
            String v = env.get(p.passwordEnv());
            if (v == null) {
                throw new ConfigException("relay.proxy.passwordEnv: " + p.passwordEnv() + " is not set (expected: the proxy password)");
            }
            return v.toCharArray();
        }
        try {
            return Files.readString(Path.of(p.passwordFile())).strip().toCharArray();
        } catch (IOException e) {
            throw new ConfigException("relay.proxy.passwordFile: " + p.passwordFile() + " unreadable (expected: a file with the proxy password)");
        }
    }

    /** A configuration that cannot be used; the message names the key and what was expected. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        /** Creates the exception. */
        public ConfigException(String message) {
            super(message);
        }
    }
}
