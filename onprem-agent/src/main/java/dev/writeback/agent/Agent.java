package dev.writeback.agent;

import static java.util.Objects.requireNonNull;

import dev.writeback.agent.directory.DirectoryHealth;
import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.hashsync.EmbeddedHashSource;
import dev.writeback.agent.hashsync.HashSource;
import dev.writeback.agent.hashsync.HashSyncer;
import dev.writeback.agent.hashsync.SambaHashSource;
import dev.writeback.agent.link.LinkContext;
import dev.writeback.agent.link.ProxySettings;
import dev.writeback.agent.link.RelayLink;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.time.Shutdowns;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The on-premises agent: its directories, its keys and its link to the relay. */
public final class Agent implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Agent.class);
    /** The agent's version, reported to the relay. */
    public static final String VERSION = versionOf();

    private final Directories directories;
    private final ExecutorService workers;
    private final RelayLink link;
    private final java.util.List<RelayLink> links;   // link first; the others keep sessions on other relay nodes
    private volatile dev.writeback.protocol.ops.MetricsListener metrics;   // metrics.listen, or null
    private volatile HashSyncer hashSyncer;   // hashSync:, or null
    private volatile java.util.concurrent.ScheduledExecutorService hashSyncThread;
    /** Longest wait for a HASH_SYNC_ACK: the relay spends one Argon2id per changed user of the batch before it. */
    static final java.time.Duration HASH_SYNC_ACK_TIMEOUT = java.time.Duration.ofMinutes(5);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;

    private Agent(Directories directories, ExecutorService workers, java.util.List<RelayLink> links) {
        this.directories = directories;
        this.workers = workers;
        this.links = links;
        this.link = links.get(0);
    }

    /** Starts an agent with the system clock and environment. */
    public static Agent start(AgentConfig config) throws Exception {
        return start(config, Clock.systemUTC(), System.getenv());
    }

    /** Opens the directories, loads the registration and keys, and starts the relay link. */
    public static Agent start(AgentConfig config, Clock clock, Map<String, String> env) throws Exception {
        requireNonNull(config, "config");
        AgentState state = AgentState.load(config.stateDir());
        AgentKeys keys = AgentKeys.load(config.stateDir());
        var identity = AgentState.identityKey(config.stateDir());
        Directories directories = Directories.open(config.directories(), config.stateDir(), clock, env::get);
        ExecutorService workers = Executors.newFixedThreadPool(config.workers(), daemonThreads("agent-worker"));
        try {
            String url = config.relay().url() != null ? config.relay().url() : state.relayUrl();
            var trust = state.relayTrust(config.stateDir());
            var context = new LinkContext(URI.create(url.replaceFirst("(?i)^wss://", "https://")), trust, proxy(config, env),
                    state.tenantId(), state.agentId(), VERSION, identity, keys, config.stateDir(),
                    request -> apply(directories, request), () -> status(directories.health()), workers,
                    config.heartbeatInterval(), clock, new SecureRandom(), config.relay().timings(), config.limits());
            logger.info("AGT-001 agent {} starting: agent={} tenant={} relay={} keyVersions={} stateDir={}", VERSION,
                    state.agentId(), state.tenantId(), url, keys, config.stateDir());
            directories.describe().forEach(line -> logger.info("AGT-002 directory {}", line));
            var links = RelayLink.group(context, config.relay().linkCount());
            var link = links.get(0);
            var agent = new Agent(directories, workers, links);
            if (config.metricsListen() != null) {
                agent.metrics = AgentMetrics.serve(config.metricsListen(), link, keys, directories);
                logger.info("AGT-004 metrics listening on http://{}:{}/metrics (also /healthz, /readyz)",
                        config.metricsListen().getHostString(), agent.metrics.port());
            }
            if (config.hashSync() != null) {
                agent.startHashSync(config, link, clock);
            }
            // The other links dial only once the first READY names a relay node: a relay on its own never sees them.
            var extrasStarted = new java.util.concurrent.atomic.AtomicBoolean();
            link.onEachReady(() -> {
                if (!link.node().isEmpty() && links.size() > 1 && extrasStarted.compareAndSet(false, true)) {
                    logger.info("AGT-006 relay node {}: opening {} more link(s) to other nodes", link.node(), links.size() - 1);
                    links.subList(1, links.size()).forEach(RelayLink::start);
                }
            });
            link.start();
            return agent;
        } catch (Exception e) {
            workers.shutdownNow();
            directories.close();
            throw e;
        }
    }

    /**
     * Password hash sync: a syncer on a thread of its own, its first cycle (the full sync) as soon as the link is
     * READY and then every 2 minutes; writeback's own resets and changes in that directory pushed at once.
     */
    private void startHashSync(AgentConfig config, RelayLink link, Clock clock) {
        AgentConfig.HashSync settings = config.hashSync();
        HashSource source = switch (settings.source()) {
            case "embedded" -> new EmbeddedHashSource(directories.embedded(settings.directory()));
            case "samba" -> new SambaHashSource(new SambaHashSource.Settings(settings.samba().command(),
                    settings.samba().configFile() == null ? null : java.nio.file.Path.of(settings.samba().configFile()),
                    config.stateDir().resolve("hash-sync").resolve("samba-syncpasswords.ldb"),
                    config.directories().stream().filter(d -> d.name().equals(settings.directory())).findFirst()
                            .orElseThrow().effectiveScopes(),
                    settings.samba().timeout()));
            default -> null;
        };
        var syncer = new HashSyncer(source, link.hashSyncSink(HASH_SYNC_ACK_TIMEOUT), clock, new SecureRandom());
        var thread = Executors.newSingleThreadScheduledExecutor(daemonThreads("agent-hash-sync"));
        hashSyncer = syncer;
        hashSyncThread = thread;
        directories.onPasswordSet(settings.directory(), (directory, anchor, upn, newPassword, mustChange) -> {
            char[] chars = newPassword.reveal();
            try {
                syncer.pushPassword(anchor, upn, chars, mustChange, clock.millis(), thread);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        });
        link.onEachReady(() -> {
            if (!syncer.fullSyncDone()) {
                thread.execute(syncer::cycle);
            }
        });
        syncer.start(dev.writeback.protocol.time.Scheduler.of(thread), HashSyncer.CYCLE);
        logger.info("AGT-005 hash sync on: directory={} source={} every {}", settings.directory(), settings.source(),
                dev.writeback.protocol.Durations.format(HashSyncer.CYCLE));
    }

    /** The hash syncer ({@code hashSync:} in the configuration), or null when hash sync is off. */
    public HashSyncer hashSyncer() {
        return hashSyncer;
    }

    static Outcome apply(Directories directories, PasswordRequest r) {
        return switch (r.operation()) {
            case RESET -> directories.reset(r.anchor(), r.newPassword().orElseThrow(), r.unlock(), r.forceChangeAtNextLogon());
            case CHANGE -> directories.change(r.anchor(), r.currentPassword().orElseThrow(), r.newPassword().orElseThrow());
            case UNLOCK -> directories.unlock(r.anchor());
            case LOOKUP -> directories.lookup(r.anchor().value());
        };
    }

    private static List<DirectoryStatus> status(List<DirectoryHealth> health) {
        return health.stream().map(h -> new DirectoryStatus(h.name(), h.type(), h.reachable(), h.server(), h.latencyMillis(),
                h.historyEnforcedOnReset(), h.problem(), h.passwordPolicy())).toList();
    }

    static ProxySettings proxy(AgentConfig config, Map<String, String> env) throws AgentConfig.ConfigException {
        var p = config.relay().proxy();
        if (p == null) {
            return null;
        }
        URI uri = URI.create(p.url());
        return new ProxySettings(new InetSocketAddress(uri.getHost(), uri.getPort()), p.username(), config.proxyPassword(env));
    }

    /** The relay link. */
    public RelayLink link() {
        return link;
    }

    /** Every link: {@link #link()} first, then those that keep sessions on other relay nodes. */
    public java.util.List<RelayLink> links() {
        return links;
    }

    /** The port of the metrics endpoint ({@code metrics.listen}); -1 when off. */
    public int metricsPort() {
        var m = metrics;
        return m == null ? -1 : m.port();
    }

    /** The directories. */
    public Directories directories() {
        return directories;
    }

    /** Blocks until {@link #close()} completed. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (metrics != null) {
            metrics.close();
        }
        if (hashSyncThread != null) {
            hashSyncer.close();
            hashSyncThread.shutdownNow();
        }
        links.forEach(RelayLink::close);
        Shutdowns.orderly(workers, java.time.Duration.ofSeconds(10));
        directories.close();
        logger.info("AGT-099 agent stopped");
        stopped.countDown();
    }

    private static String versionOf() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        var n = new AtomicInteger();
        return r -> {
            var t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
