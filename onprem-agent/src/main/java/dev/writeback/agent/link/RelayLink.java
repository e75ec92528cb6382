package dev.writeback.agent.link;

import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.FrameCodec;
import dev.writeback.protocol.time.Scheduler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's outbound connection to the relay, kept open for as long as the agent runs: dials out (through an
 * HTTP CONNECT proxy when configured), reconnects with full-jitter backoff, detects a dead relay after 75 s
 * of silence (see {@link LinkTimings}), and reconnects at once after GOAWAY. The agent never listens.
 */
public final class RelayLink implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(RelayLink.class);
    /** Reset the backoff after a connection stayed up this long. */
    static final Duration STABLE = Duration.ofSeconds(60);
    /** At most one AGT-340 line (requests refused at the in-flight limit) per this interval. */
    static final Duration BUSY_LOG_INTERVAL = Duration.ofSeconds(60);

    private final LinkContext context;
    private final SslContext tls;
    private final EventLoopGroup group;
    private final Scheduler timers;
    private final LinkStats stats = new LinkStats();
    private final ReplayGuard replays;
    private final LinkGroup siblings;
    /** Not the agent's first link: it has nothing to do against a relay that runs as one node. */
    private final boolean extra;
    private volatile LinkHandler givingWay;   // READY on a node another link holds (or an extra link on a lone relay)
    private volatile boolean notNeeded;
    private volatile String node;
    private final Backoff backoff;
    private final KeepAlive keepAlive;
    private final Instant startedAt;
    private final RefusalLog busyLog;
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();
    private final java.util.List<Runnable> readyListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final IntConsumer announceKeys = this::announceKeys;
    private volatile boolean closed;
    private volatile Channel channel;
    private volatile LinkHandler current;
    private volatile Instant readyAt;

    /** A link for one agent; call {@link #start()} to connect. */
    public RelayLink(LinkContext context) throws IOException {
        this(context, null, new LinkGroup(), new ReplayGuard(100_000), false);
    }

    /**
     * {@code count} links of one agent that keep sessions on distinct relay nodes and share one replay guard (a
     * request replayed over the other link is refused too); the first is the agent's main link.
     */
    public static java.util.List<RelayLink> group(LinkContext context, int count) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("relay.links: " + count + " (expected: >= 1)");
        }
        var group = new LinkGroup();
        var replays = new ReplayGuard(100_000);
        var links = new java.util.ArrayList<RelayLink>();
        for (int i = 0; i < count; i++) {
            links.add(new RelayLink(context, null, group, replays, i > 0));
        }
        return java.util.List.copyOf(links);
    }

    /**
     * A link whose reconnects, backoff resets and key destructions wait on {@code timers} (tests pass a scheduler
     * they drive); null for the link's own event loop.
     */
    RelayLink(LinkContext context, Scheduler timers) throws IOException {
        this(context, timers, new LinkGroup(), new ReplayGuard(100_000), false);
    }

    private RelayLink(LinkContext context, Scheduler timers, LinkGroup siblings, ReplayGuard replays, boolean extra)
            throws IOException {
        this.context = context;
        this.siblings = siblings;
        this.replays = replays;
        this.extra = extra;
        this.tls = context.tls().nettyContext();
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.timers = timers != null ? timers : Scheduler.of(this.group);
        var random = new SplittableRandom(context.random().nextLong());
        this.backoff = new Backoff(random);
        this.keepAlive = new KeepAlive(context.clock(), new SplittableRandom(context.random().nextLong()), context.timings());
        this.startedAt = context.clock().instant();
        this.busyLog = new RefusalLog(context.clock(), BUSY_LOG_INTERVAL);
    }

    /** Starts connecting; returns at once. */
    public void start() {
        logger.info("AGT-010 connecting to relay {} as agent={} tenant={} trust={}{} keepalive={}ms deadPeer={}ms", context.relay(),
                context.agentId(), context.tenantId(), context.tls().describe(),
                context.proxy() == null ? "" : " via proxy " + context.proxy().address()
                        + (context.proxy().username() == null ? "" : " as " + context.proxy().username()),
                keepAlive.interval().toMillis(), context.timings().deadPeer().toMillis());
        context.keys().onInstalled(announceKeys);
        if (!extra && context.keys().oldestVersion() < context.keys().currentVersion()) {
            // Left from a rollover before a restart; its destruction was scheduled by the process that ended.
            destroyKeysLater(context.keys().currentVersion());
        }
        connect();
    }

    /** The agent installed a key version (possibly over another connection): tell this link's relay session. */
    private void announceKeys(int version) {
        LinkHandler handler = current;
        if (handler != null) {
            handler.announceKeys(version);
        }
    }

    /** What this link was built from, for example to open a second link of the same agent. */
    public LinkContext context() {
        return context;
    }

    /** Runs {@code listener} on the event loop each time a session becomes READY (it must not block). */
    public void onEachReady(Runnable listener) {
        readyListeners.add(listener);
    }

    /** Completes when the link is READY for the first time. */
    public CompletableFuture<Void> firstReady() {
        return firstReady;
    }

    /**
     * Sends one hash sync batch over the live connection and waits up to {@code timeout} for its acknowledgement:
     * the {@link dev.writeback.agent.hashsync.HashSyncSink} of an agent whose directory is a hash source.
     */
    public dev.writeback.agent.hashsync.HashSyncSink hashSyncSink(java.time.Duration timeout) {
        return (cursor, fullSync, entries) -> {
            LinkHandler handler = current;
            if (handler == null || !connected()) {
                throw new java.io.IOException("relay link down");
            }
            dev.writeback.protocol.Message.HashSyncAck ack;
            try {
                ack = handler.sendHashSync(new dev.writeback.protocol.hashsync.HashSyncBatch(cursor, fullSync, entries))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } catch (java.util.concurrent.TimeoutException e) {
                throw new java.io.IOException("no HASH_SYNC_ACK within " + dev.writeback.protocol.Durations.format(timeout));
            }
            if (!ack.enabled()) {
                throw new dev.writeback.agent.hashsync.HashSyncSink.SyncOff();
            }
            if (!ack.stored()) {
                throw new java.io.IOException("the relay did not store the batch (busy, or it did not open)");
            }
            return new dev.writeback.agent.hashsync.HashSyncSink.Reply(ack.fullSyncRequested());
        };
    }

    /** The relay node this link's session is on; empty without one (or against a relay on its own). */
    public String node() {
        String n = node;
        return n == null ? "" : n;
    }

    /** Whether a session is ready now. */
    public boolean connected() {
        Channel c = channel;
        return c != null && c.isActive() && readyAt != null;
    }

    /** Counters of this agent. */
    public LinkStats stats() {
        return stats;
    }

    Duration uptime() {
        return Duration.between(startedAt, context.clock().instant());
    }

    private void connect() {
        if (closed) {
            return;
        }
        var bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new Initializer());
        ChannelFuture f = context.proxy() != null
                ? bootstrap.connect(java.net.InetSocketAddress.createUnresolved(context.relayHost(), context.relayPort()))
                : bootstrap.connect(context.relayHost(), context.relayPort());
        channel = f.channel();
        f.addListener(result -> {
            if (!result.isSuccess()) {
                logger.warn("AGT-110 cannot reach relay {}{}: {}", context.relay(),
                        context.proxy() == null ? "" : " (proxy " + context.proxy().address() + ")", rootMessage(result.cause()));
                scheduleReconnect(backoff.next());
            }
        });
    }

    /**
     * The session is READY. False when this link gives way instead: its node already holds a session of another
     * link of this agent (it dials again after the backoff, hoping for another node), or it is an extra link and
     * the relay runs as one node (it stops). The handler then closes the connection.
     */
    boolean onReady(LinkHandler handler) {
        String nodeId = handler.nodeId();
        if (nodeId.isEmpty() && extra) {
            logger.info("AGT-153 the relay runs as one node: this agent's extra link is not needed and stops");
            notNeeded = true;
            givingWay = handler;
            return false;
        }
        if (!siblings.claim(nodeId, this)) {
            logger.info("AGT-152 relay node {} already holds a session of this agent: this link dials again for another"
                    + " node", nodeId);
            givingWay = handler;
            return false;
        }
        node = nodeId;
        onReadyKept(handler);
        return true;
    }

    private void onReadyKept(LinkHandler handler) {
        current = handler;
        readyAt = context.clock().instant();
        firstReady.complete(null);
        for (Runnable r : readyListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                logger.warn("AGT-190 ready listener failed: {}", e.toString());
            }
        }
        timers.schedule(() -> {
            if (current == handler && connected()) {
                backoff.reset();
            }
        }, STABLE);
    }

    void onClosed(LinkHandler handler, boolean wasReady) {
        if (handler == givingWay) {
            givingWay = null;
            if (!notNeeded) {
                scheduleReconnect(backoff.next());
            }
            return;
        }
        siblings.release(node, this);
        node = null;
        if (handler.draining()) {
            return;   // an old connection ended after GOAWAY; reconnectNow already dialed a new one
        }
        current = null;
        readyAt = null;
        if (wasReady && !handler.draining() && !closed) {
            keepAlive.onUnexpectedClose(handler.quietFor());
            logger.warn("AGT-111 disconnected from relay {}", context.relay());
        }
        scheduleReconnect(backoff.next());
    }

    RefusalLog busyLog() {
        return busyLog;
    }

    void authRejected() {
        backoff.authRejected();
    }

    /** The current keepalive interval, without jitter. */
    public Duration keepAliveInterval() {
        return keepAlive.interval();
    }

    void reconnectNow(int afterMillis) {
        current = null;
        timers.schedule(this::connect, Duration.ofMillis(afterMillis));
    }

    void destroyKeysLater(int currentVersion) {
        timers.schedule(() -> {
            try {
                context.keys().destroyBelow(currentVersion);
                logger.info("AGT-402 key versions below {} destroyed after {}", currentVersion, context.timings().keyOverlap());
            } catch (IOException e) {
                logger.warn("AGT-405 destroying old key versions failed: {}", e.toString());
            }
        }, context.timings().keyOverlap());
    }

    private void scheduleReconnect(Duration delay) {
        if (closed || notNeeded) {
            return;
        }
        logger.info("AGT-112 reconnecting in {} ms", delay.toMillis());
        timers.schedule(this::connect, delay);
    }

    @Override
    public void close() {
        closed = true;
        context.keys().removeOnInstalled(announceKeys);
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        logger.info("AGT-090 relay link closed");
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    /** TLS to the relay (through the proxy tunnel if any), HTTP upgrade to WebSocket, framing, then the link. */
    private final class Initializer extends ChannelInitializer<SocketChannel> {
        @Override
        protected void initChannel(SocketChannel ch) {
            var p = ch.pipeline();
            var proxy = context.proxy();
            if (proxy != null) {
                p.addLast("proxy", proxy.username() == null ? new HttpProxyHandler(proxy.address())
                        : new HttpProxyHandler(proxy.address(), proxy.username(), new String(proxy.password())));
                p.addLast("proxyFailure", new ProxyFailureHandler());
            }
            p.addLast("tls", tls.newHandler(ch.alloc(), context.relayHost(), context.relayPort()));
            p.addLast("tlsFailure", new CertificateFailureHandler());
            p.addLast("idle", new IdleStateHandler(context.timings().deadPeer().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            p.addLast("http", new HttpClientCodec());
            p.addLast("aggregate", new HttpObjectAggregator(ProtocolVersion.MAX_FRAME_BYTES));
            URI ws = URI.create("wss://" + context.relayHost() + ":" + context.relayPort() + ProtocolVersion.AGENT_PATH);
            p.addLast("websocket", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(ws)
                    .version(WebSocketVersion.V13)
                    .customHeaders(new DefaultHttpHeaders())
                    .maxFramePayloadLength(ProtocolVersion.MAX_FRAME_BYTES)
                    .handleCloseFrames(false)
                    .handshakeTimeoutMillis(10_000)
                    .build()));
            p.addLast("frames", new FrameCodec());
            p.addLast("link", new LinkHandler(context, RelayLink.this, stats, replays, keepAlive));
        }
    }

    /**
     * Turns a relay certificate the agent's trust refuses (wrong pin, unknown CA, expired) into one AGT-110 line with
     * the hint to re-pin; retrying soon will not fix it, so the agent backs off as after a refused authentication.
     */
    private final class CertificateFailureHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String problem = certificateProblem(cause);
            if (problem == null) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            logger.warn("AGT-110 relay {} certificate refused ({}): {}; if the relay's key was replaced, re-pin:"
                    + " agent trust --config agent.yaml --fingerprint <key pin the relay prints as RLY-002> (or --ca-file),"
                    + " then restart", context.relay(),
                    context.tls().describe(), problem);
            backoff.authRejected();
            ctx.close();
        }
    }

    /** The message of the certificate check that failed the handshake, or null when the failure is another one. */
    static String certificateProblem(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException) {
                return t.getMessage();
            }
            if (t instanceof javax.net.ssl.SSLHandshakeException && t.getCause() == null
                    && String.valueOf(t.getMessage()).contains("certificate")) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * Turns a refused CONNECT into one clear line: a 407 (or 401) means the proxy credentials are wrong, which retrying soon
     * will not fix, so the agent backs off as after a refused authentication.
     */
    private final class ProxyFailureHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof HttpProxyHandler.HttpProxyConnectException refused)) {
                ctx.fireExceptionCaught(cause);
                return;
            }
            var proxy = context.proxy();
            String message = String.valueOf(refused.getMessage());
            int at = message.indexOf("status: ");
            String status = at < 0 ? message : message.substring(at + "status: ".length());
            if (status.startsWith("407") || status.startsWith("401")) {   // tinyproxy answers 401 to bad basic auth
                logger.warn("AGT-113 proxy {} refused the credentials of user {} (status {}): check relay.proxy.username and"
                        + " relay.proxy.passwordFile/passwordEnv", proxy.address(), proxy.username(), status);
                backoff.authRejected();
            } else {
                logger.warn("AGT-114 proxy {} refused the tunnel to {}:{} (status {}): check that the proxy allows CONNECT to"
                        + " this port", proxy.address(), context.relayHost(), context.relayPort(), status);
            }
            ctx.close();
        }
    }
}
