package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Durations;
import dev.writeback.portal.Portal;
import dev.writeback.portal.PortalConfig;
import dev.writeback.portal.PortalHandler;
import dev.writeback.protocol.files.OwnerOnly;
import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.api.RelayWriteback;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.agent.SessionContext;
import dev.writeback.protocol.time.Polling;
import dev.writeback.relay.cluster.ClusterEndpoints;
import dev.writeback.relay.cluster.NatsCluster;
import dev.writeback.relay.cluster.NodeId;
import dev.writeback.relay.cluster.SessionPresence;
import dev.writeback.relay.routing.Endpoints;
import dev.writeback.protocol.time.Scheduler;
import dev.writeback.protocol.time.Shutdowns;
import dev.writeback.relay.api.RelayGateway;
import dev.writeback.relay.api.Readiness;
import dev.writeback.relay.routing.Router;
import dev.writeback.relay.hashsync.HashSyncIntake;
import dev.writeback.relay.hashsync.HashSyncReceiver;
import dev.writeback.relay.hashsync.StoredHash;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay: one TLS port for the REST API and agent connections, a store, and the live agent sessions. */
public final class RelayServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(RelayServer.class);

    private final RelayConfig config;
    private final Store store;
    private final RelayTls tls;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Scheduler timers;
    private final ExecutorService blocking;
    private final AgentSessions sessions;
    private final Router router;
    private final Channel serverChannel;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile dev.writeback.protocol.ops.MetricsListener metricsListener;   // metrics.address, or null
    private volatile HashSyncIntake hashSyncIntake;
    private volatile NatsCluster cluster;   // cluster:, or null
    private volatile RelayGateway gateway;
    private volatile SessionPresence presence;   // cluster:, or null

    private RelayServer(RelayConfig config, Store store, RelayTls tls, EventLoopGroup boss, EventLoopGroup workers,
                        Scheduler timers, ExecutorService blocking, AgentSessions sessions, Router router,
                        Channel serverChannel) {
        this.config = config;
        this.store = store;
        this.tls = tls;
        this.boss = boss;
        this.workers = workers;
        this.timers = timers;
        this.blocking = blocking;
        this.sessions = sessions;
        this.router = router;
        this.serverChannel = serverChannel;
    }

    /** How often shutdown asks whether the requests in flight have ended. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    /** Threads of the blocking pool (store calls, API requests, sealing). */
    static final int BLOCKING_THREADS = 4;
    /** Hash sync batches waiting for the intake: one per connected agent at most, so this bounds agents per node. */
    static final int HASH_SYNC_QUEUE = 1024;

    /**
     * The blocking pool: {@code threads} threads and at most {@code queue} waiting tasks. Past that a submission
     * is refused ({@link java.util.concurrent.RejectedExecutionException}): the API answers {@code 503 OVERLOADED}
     * and an agent request is answered BUSY, instead of the queue growing without end under a flood.
     */
    static java.util.concurrent.ThreadPoolExecutor blockingPool(int threads, int queue) {
        return new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(queue), daemonThreads("relay-blocking"),
                new java.util.concurrent.ThreadPoolExecutor.AbortPolicy());
    }

    /** Starts a relay with the system clock. */
    public static RelayServer start(RelayConfig config) throws IOException, InterruptedException {
        return start(config, Clock.systemUTC());
    }

    /** Starts a relay: opens the store, loads or creates the certificate, binds the port. */
    public static RelayServer start(RelayConfig config, Clock clock) throws IOException, InterruptedException {
        return start(config, OperationsConfig.DEFAULTS, clock);
    }

    /** Starts a relay with certificate renewal and metrics settings. */
    public static RelayServer start(RelayConfig config, OperationsConfig operations, Clock clock)
            throws IOException, InterruptedException {
        requireNonNull(config, "config");
        requireNonNull(operations, "operations");
        checkPortFree(config.bindAddress(), config.port());   // before any file is created
        var random = new SecureRandom();
        OwnerOnly.createDirectories(config.dataDir());   // rwx------: the master key and the store live here
        MasterKey masterKey = MasterKey.loadOrCreate(config.dataDir(), System.getenv());
        Store store = Store.open(config.store(), config.dataDir(), masterKey, clock, System::getenv);
        EventLoopGroup boss = null;
        EventLoopGroup workers = null;
        ExecutorService blocking = null;
        HashSyncIntake intake = null;
        NatsCluster cluster = null;
        SessionPresence presence = null;
        try {
            var tls = RelayTls.load(config, operations, clock, random);
            tls.maintain();
            if (config.publicHostnames().isEmpty()) {
                // no names configured: AUTH may name only what the certificate is for, not any host
                config = config.toBuilder().publicHostnames(tls.hostNames()).build();
                logger.info("RLY-015 publicHostnames not set: agents may name {} (the certificate's names)", config.publicHostnames());
            }
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
            blocking = blockingPool(BLOCKING_THREADS, config.limits().blockingQueue());
            var sessions = new AgentSessions();
            String relayName = config.publicHostnames().isEmpty() ? "writeback-relay" : config.publicHostnames().get(0);
            var hashSync = new HashSyncReceiver(new StoredHash(masterKey, random), store.hashSync(), clock);
            intake = new HashSyncIntake(hashSync, Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                    HASH_SYNC_QUEUE);
            String nodeId = config.cluster() == null ? "" : NodeId.resolve(config.cluster().nodeId(), config.dataDir());
            var context = new SessionContext(config, store, sessions, clock, random, blocking, relayName, intake, nodeId);
            var rotation = new KeyRotation(context);
            var timers = Scheduler.of(workers);
            if (config.cluster() != null) {
                cluster = NatsCluster.start(config.cluster(), nodeId, sessions, System::getenv, random);
            }
            Endpoints endpoints = cluster == null ? sessions : new ClusterEndpoints(sessions, store, cluster, clock);
            var router = new Router(endpoints, blocking, timers, clock, config.agentWait());
            var gateway = new RelayGateway(router, sessions, rotation, clock, random, config.heartbeatOverdue(), timers);
            if (cluster != null) {
                presence = new SessionPresence(nodeId, store, sessions, clock, config.heartbeatOverdue());
                presence.start(timers, blocking);
                gateway.seeOtherNodes(nodeId, presence::elsewhere);
                gateway.seeClusterLink(cluster::connected);
            }
            var metrics = RelayApi.metrics();
            metrics.gauge("writeback_agent_sessions", sessions, s -> s.all().size());
            metrics.gauge("writeback_requests_in_flight", sessions, AgentSessions::inFlight);
            var relayMetrics = RelayMetrics.bind(metrics, sessions, rotation, tls, clock, config.heartbeatOverdue());
            var api = RelayApi.handler(config, store, gateway, clock, blocking, tls.pin(), metrics,
                    operations.metricsOnPublicPort(), hashSync);
            var portal = new PortalHandler(Portal.of(new PortalConfig(clock, null, config.maxRequestTimeout()),
                    store.portal(), new RelayWriteback(gateway, store, clock, config.requestTimeout()), blocking), blocking);
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new RelayChannelInitializer(tls::context, context, rotation, api, portal,
                            new ConnectionLimits(config.limits(), config.trustedProxies(), clock, metrics)))
                    .bind(config.bindAddress(), config.port()).sync().channel();   // may throw BindException
            var server = new RelayServer(config, store, tls, boss, workers, timers, blocking, sessions, router, channel);
            server.hashSyncIntake = intake;
            server.cluster = cluster;
            server.gateway = gateway;
            server.presence = presence;
            if (operations.metricsAddress() != null) {
                server.metricsListener = dev.writeback.protocol.ops.MetricsListener.start("metrics.address/metrics.port",
                        operations.metricsAddress(), operations.metricsPort(), metrics::scrape, server::ready);
                logger.info("RLY-003 metrics listening on http://{}:{}/metrics (also /healthz, /readyz)",
                        operations.metricsAddress(), server.metricsListener.port());
            }
            Duration every = config.housekeepingInterval();
            timers.repeat(() -> {
                server.housekeeping(rotation, clock);
                relayMetrics.refresh();
                server.checkHashSync(hashSync);
            }, every, every);
            logger.info("RLY-001 relay listening on https://{}:{} (REST API, agents at wss://…:{}/agent/v1) data={}",
                    config.bindAddress(), server.port(), server.port(), config.dataDir().toAbsolutePath());
            logger.info("RLY-002 certificate key pin {} (certificate fingerprint {}, valid until {}){}", tls.pin(),
                    tls.certificateFingerprint(), tls.notAfter(), tls.selfSigned()
                            ? " (self-signed, renewed with the same key: agents pin the key with --trust-fingerprint)" : "");
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (boss != null) {
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (workers != null) {
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (blocking != null) {
                blocking.shutdownNow();
            }
            if (intake != null) {
                intake.close();
            }
            if (presence != null) {
                presence.stop();
            }
            if (cluster != null) {
                cluster.close();
            }
            store.close();
            if (e instanceof java.net.BindException) {
                throw inUse(config.bindAddress(), config.port(), e);
            }
            throw e;
        }
    }

    /**
     * Fails naming the address and port when another process listens there, before the relay creates its data
     * directory, store or certificate (the bind below reports the same for the rare race in between).
     */
    static void checkPortFree(String address, int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (var probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);   // as Netty's server channel: a port in TIME_WAIT is free
            probe.bind(new InetSocketAddress(address, port));
        } catch (java.net.BindException e) {
            throw inUse(address, port, e);
        }
    }

    private static IOException inUse(String address, int port, Exception cause) {
        return new IOException("listen: " + address + ":" + port + " already in use (expected: a free port; is another"
                + " relay running? set listen.port / listen.address in relay.yaml, or --port / --bind)", cause);
    }

    /** Overdue sync heartbeats and the 7-day status purge, on the blocking pool (they read the store). */
    private void checkHashSync(HashSyncReceiver hashSync) {
        try {
            blocking.execute(() -> {
                try {
                    hashSync.checkHeartbeats();
                } catch (RuntimeException e) {
                    logger.warn("RLY-091 hash sync housekeeping failed: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            logger.debug("hash sync housekeeping skipped: blocking queue full");
        }
    }

    private void housekeeping(KeyRotation rotation, Clock clock) {
        try {
            tls.maintain();
            checkSessions(rotation);
        } catch (RuntimeException e) {   // a periodic task that throws is never run again
            logger.warn("RLY-091 housekeeping failed: {}", e.toString());
        }
    }

    private void checkSessions(KeyRotation rotation) {
        for (AgentSession s : sessions.all()) {
            if (s.live(config.heartbeatOverdue()).heartbeatOverdue() && s.markOverdue()) {
                var last = s.live(config.heartbeatOverdue()).lastHeartbeat();
                logger.warn("RLY-311 heartbeat overdue agent={} tenant={} last={} limit={}", s.agentId(), s.tenantId(),
                        last == null ? "never" : last, Durations.format(config.heartbeatOverdue()));
            }
        }
        rotation.tick();
    }

    /** Whether the node can serve: listening for agents (not stopping), and ready as {@link Readiness} says. */
    public boolean ready() {
        if (stopping || !serverChannel.isActive()) {
            return false;
        }
        return Readiness.notReadyBecause(store, gateway) == null;
    }

    /** The port of the separate metrics listener ({@code metrics.address}); -1 when there is none. */
    public int metricsPort() {
        var l = metricsListener;
        return l == null ? -1 : l.port();
    }

    /** The bound TLS port. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * The pin agents keep: SHA-256 of the relay certificate's public key ({@code SHA256:AB:...}), unchanged when the
     * self-signed certificate is renewed.
     */
    public String fingerprint() {
        return tls.pin();
    }

    /** SHA-256 of the certificate in use; agents that pinned it before key pinning still connect until it is renewed. */
    public String certificateFingerprint() {
        return tls.certificateFingerprint();
    }

    /** When the certificate in use expires. */
    public java.time.Instant certificateNotAfter() {
        return tls.notAfter();
    }

    /**
     * Renews a due self-signed certificate and warns about an expiring one now, as housekeeping does every run;
     * returns whether it renewed (tests drive it with their clock).
     */
    public boolean maintainCertificate() {
        return tls.maintain();
    }

    /** The relay's store (the CLI and tests use it directly). */
    public Store store() {
        return store;
    }

    /** The live agent sessions. */
    public AgentSessions sessions() {
        return sessions;
    }

    /** The configuration in force. */
    public RelayConfig config() {
        return config;
    }

    /**
     * Stops gracefully: no new connections, GOAWAY to every agent, in-flight operations get up to the shutdown
     * grace to finish, then everything closes.
     */
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        logger.info("RLY-090 relay stopping: GOAWAY to {} agent sessions, {} requests in flight", sessions.all().size(), sessions.inFlight());
        serverChannel.close().awaitUninterruptibly();
        if (metricsListener != null) {
            metricsListener.close();
        }
        sessions.goawayAll("relay shutting down");
        // Finished operations still write their audit record and answer on the blocking pool: wait for it too,
        // because shutting the event loops down closes every connection at once.
        try {
            Polling.until(() -> sessions.inFlight() == 0 && router.active() == 0 && !busy(blocking),
                    config.shutdownGrace(), DRAIN_POLL, timers).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            logger.warn("RLY-092 waiting for in-flight requests failed: {}", e.getCause().toString());
        }
        if (sessions.inFlight() > 0 || router.active() > 0) {
            logger.warn("RLY-092 shutdown grace of {} over: {} requests still in flight are cut off", Durations.format(config.shutdownGrace()),
                    Math.max(sessions.inFlight(), router.active()));
        }
        for (AgentSession s : sessions.all()) {
            s.close("relay shutting down");
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        if (hashSyncIntake != null) {
            hashSyncIntake.close();
        }
        if (presence != null) {
            presence.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
        Shutdowns.orderly(blocking, Duration.ofSeconds(5));
        store.close();
        logger.info("RLY-099 relay stopped");
        stopped.countDown();
    }

    /** Blocks until {@link #stop()} completed. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        stop();
    }

    private static boolean busy(ExecutorService executor) {
        return executor instanceof java.util.concurrent.ThreadPoolExecutor pool && (pool.getActiveCount() > 0 || !pool.getQueue().isEmpty());
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
