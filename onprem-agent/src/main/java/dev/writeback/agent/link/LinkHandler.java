package dev.writeback.agent.link;

import dev.writeback.agent.AgentKeys;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.codec.DecoderFailures;
import dev.writeback.protocol.crypto.Envelope;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.protocol.crypto.Signatures;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The agent's side of one relay connection: answers HELLO with a signed AUTH, then serves REQUESTs (ACCEPTED
 * first, then the sealed RESULT), sends pings and heartbeats, and takes part in key rollover.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(LinkHandler.class);
    /** How far an issued-at time may lie in the relay's future before a request is refused. */
    static final Duration SKEW = Duration.ofSeconds(30);
    /**
     * Longest wait for a COMMIT. The relay answers ACCEPTED with COMMIT at once while the request is within its
     * deadline (at most 60 s), so a COMMIT that has not come by then never will.
     */
    static final Duration AWAIT_COMMIT = Duration.ofSeconds(60);

    private final LinkContext context;
    private final RelayLink link;
    /** A HASH_SYNC frame around its sealed body: 18-byte header, i64 cursor, u16 length (docs/protocol.md). */
    private static final int HASH_SYNC_FRAME_OVERHEAD = 18 + 8 + 2;

    private final LinkStats stats;
    private final ReplayGuard replays;
    private final KeepAlive keepAlive;
    /** Requests answered with ACCEPTED and not yet committed by the relay; touched only on the event loop. */
    private final java.util.Map<RequestId, AwaitingCommit> awaitingCommit = new java.util.HashMap<>();
    private Message.Ready ready;
    private long relayOffsetMillis;
    private volatile boolean draining;
    private volatile Instant lastRead;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> ping;
    private volatile ChannelHandlerContext readyContext;
    /** The one HASH_SYNC batch waiting for its acknowledgement, or null; touched only on the event loop. */
    private PendingHashSync pendingHashSync;

    LinkHandler(LinkContext context, RelayLink link, LinkStats stats, ReplayGuard replays, KeepAlive keepAlive) {
        this.context = context;
        this.link = link;
        this.stats = stats;
        this.replays = replays;
        this.keepAlive = keepAlive;
        this.lastRead = context.clock().instant();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            logger.debug("WebSocket open to {}", ctx.channel().remoteAddress());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            logger.warn("AGT-130 nothing from the relay for {} ms, reconnecting", context.timings().deadPeer().toMillis());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastRead = context.clock().instant();
        if (msg instanceof Message m) {
            handle(ctx, m);
        } else if (msg instanceof CloseWebSocketFrame close) {
            logger.warn("AGT-140 relay closed the connection: {} {}", close.statusCode(), LogSafe.of(close.reasonText()));
            // what the refusal means is in the ERROR frame the relay sends before closing (handled in handle);
            // the close reason is text for people and is only logged
            close.release();
            ctx.close();
        } else if (msg instanceof WebSocketFrame frame) {
            frame.release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Whether the relay refused this agent's credentials, so reconnecting soon cannot help (the long backoff).
     * {@code RATE_LIMITED} is not one: the relay refused failures from the agent's source address, not its
     * credentials, and a valid AUTH is accepted as soon as it comes, so the normal backoff applies.
     */
    static boolean rejectsCredentials(ErrorCode code) {
        return code == ErrorCode.AUTHENTICATION_FAILED || code == ErrorCode.UNKNOWN_AGENT;
    }

    private void handle(ChannelHandlerContext ctx, Message m) {
        if (m instanceof Message.Hello hello) {
            onHello(ctx, hello);
        } else if (m instanceof Message.Ready r) {
            onReady(ctx, r);
        } else if (m instanceof Message.ErrorMessage e) {
            logger.warn("AGT-142 relay reported {}: {}", e.code(), LogSafe.of(e.message()));
            if (rejectsCredentials(e.code())) {
                link.authRejected();
            }
        } else if (ready == null) {
            logger.warn("AGT-141 {} before READY, closing", m.type());
            ctx.close();
        } else if (m instanceof Message.Request r) {
            onRequest(ctx, r);
        } else if (m instanceof Message.Commit c) {
            onCommit(ctx, c);
        } else if (m instanceof Message.RotateKeys r) {
            onRotateKeys(ctx, r);
        } else if (m instanceof Message.Keys k) {
            onKeys(k);
        } else if (m instanceof Message.HashSyncAck a) {
            onHashSyncAck(a);
        } else if (m instanceof Message.Goaway g) {
            logger.info("AGT-150 relay asked to reconnect: {}", LogSafe.of(g.reason()));
            draining = true;
            link.reconnectNow(g.reconnectAfterMillis());
            closeIfDrained(ctx);
        } else {
            logger.warn("AGT-141 unexpected {} from the relay, closing", m.type());
            ctx.close();
        }
    }

    private void onHello(ChannelHandlerContext ctx, Message.Hello hello) {
        long now = context.clock().millis();
        byte[] payload = Message.Auth.signedPayload(hello.nonce(), context.agentId(), context.relayHost(), now);
        byte[] signature = Signatures.sign(context.identityKey(), payload);
        ctx.writeAndFlush(new Message.Auth(context.agentId(), now, context.relayHost(), context.agentVersion(), signature));
    }

    private void onReady(ChannelHandlerContext ctx, Message.Ready r) {
        ready = r;
        relayOffsetMillis = r.serverTimeMillis() - context.clock().millis();
        readyContext = ctx;   // before listeners run: the hash syncer sends as soon as the link is READY
        if (!link.onReady(this)) {
            readyContext = null;
            ctx.close();   // another link of this agent holds a session on this node
            return;
        }
        logger.info("AGT-100 connected to relay {} agent={} tenant={} session={} keyVersion={} clockOffset={}ms keepalive={}s",
                context.relay(), context.agentId(), r.tenantId(), r.sessionId(), r.keyVersion(), relayOffsetMillis,
                keepAlive.interval().toSeconds());
        if (r.keyVersion() > context.keys().currentVersion()) {
            logger.warn("AGT-101 relay expects key version {} but this agent holds {}", r.keyVersion(), context.keys().currentVersion());
        }
        schedulePing(ctx);
        Duration every = context.heartbeatOverride() != null ? context.heartbeatOverride() : Duration.ofSeconds(r.heartbeatIntervalSeconds());
        readyContext = ctx;   // before the first heartbeat reads the key version: a version installed now is not missed
        sendHeartbeat(ctx);
        heartbeat = ctx.executor().scheduleAtFixedRate(() -> sendHeartbeat(ctx), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The agent installed a key version, perhaps over another connection: a heartbeat carrying it tells this
     * session's relay that requests sealed with it can now be opened, so it switches (see the relay's KeyRotation).
     */
    void announceKeys(int version) {
        ChannelHandlerContext ctx = readyContext;
        if (ctx == null) {
            return;   // not ready yet: the heartbeat right after READY carries the version
        }
        ctx.executor().execute(() -> {
            if (ctx.channel().isActive()) {
                logger.debug("announcing key version {} to the relay", version);
                sendHeartbeat(ctx);
            }
        });
    }

    private void schedulePing(ChannelHandlerContext ctx) {
        ping = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new PingWebSocketFrame());
                schedulePing(ctx);
            }
        }, keepAlive.nextDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sendHeartbeat(ChannelHandlerContext ctx) {
        var dirs = context.health().get();
        var hb = new Message.Heartbeat(context.agentVersion(), link.uptime().toSeconds(), context.keys().currentVersion(),
                stats.succeeded(), stats.failed(), stats.rejected(), stats.inFlight(), dirs);
        ctx.writeAndFlush(hb);
        logger.info("AGT-300 heartbeat agent={} uptime={}s keyVersion={} inFlight={} succeeded={} failed={} rejected={} directories={}",
                context.agentId(), hb.uptimeSeconds(), hb.keyVersion(), hb.inFlight(), hb.succeeded(), hb.failed(), hb.rejected(),
                DirectoryStatus.summary(dirs));
    }

    /**
     * ACCEPTED at once; the request waits, unopened and unapplied, for the relay's COMMIT. Over the agent's own
     * in-flight ceiling (requests or bytes, see {@link InFlightLimits}) it is answered BUSY, whatever READY announced.
     */
    private void onRequest(ChannelHandlerContext ctx, Message.Request r) {
        int bytes = r.sealed().length;
        int cap = context.limits().cap(ready.maxInFlight());
        if (stats.inFlight() >= cap || stats.inFlightBytes() + bytes > context.limits().maxBytes()) {
            refuseBusy(ctx, r.requestId(), cap);
            return;
        }
        if (awaitingCommit.containsKey(r.requestId())) {
            stats.rejected.incrementAndGet();
            ctx.writeAndFlush(new Message.ErrorMessage(r.requestId(), ErrorCode.REPLAYED, "REPLAYED: request rejected by the agent"));
            return;
        }
        stats.inFlight.incrementAndGet();
        stats.inFlightBytes.addAndGet(bytes);
        var timeout = ctx.executor().schedule(() -> dropUncommitted(ctx, r.requestId(), "no COMMIT within "
                + AWAIT_COMMIT.toSeconds() + " s"), AWAIT_COMMIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitingCommit.put(r.requestId(), new AwaitingCommit(r, bytes, timeout));
        ctx.writeAndFlush(new Message.Accepted(r.requestId()));
    }

    private void refuseBusy(ChannelHandlerContext ctx, RequestId id, int cap) {
        stats.busy.incrementAndGet();
        ctx.writeAndFlush(new Message.ErrorMessage(id, ErrorCode.BUSY, "agent at its in-flight limit"));
        long refused = link.busyLog().refused();
        if (refused > 0) {
            logger.warn("AGT-340 {} request(s) answered BUSY at the in-flight limit (requests {} of {}, bytes {} of {}; relay announced {});"
                    + " at most one line per {} s", refused, stats.inFlight(), cap, stats.inFlightBytes(), context.limits().maxBytes(),
                    ready.maxInFlight(), RelayLink.BUSY_LOG_INTERVAL.toSeconds());
        }
    }

    /** The relay has seen ACCEPTED: open, check and apply the request on a worker. */
    private void onCommit(ChannelHandlerContext ctx, Message.Commit c) {
        AwaitingCommit waiting = awaitingCommit.remove(c.requestId());
        if (waiting == null) {
            logger.debug("AGT-332 COMMIT for unknown request {}", c.requestId());
            return;
        }
        waiting.timeout().cancel(false);
        try {
            context.workers().execute(() -> process(ctx, waiting));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release(waiting);
            ctx.writeAndFlush(new Message.ErrorMessage(c.requestId(), ErrorCode.BUSY, "agent shutting down"));
        }
    }

    private void dropUncommitted(ChannelHandlerContext ctx, RequestId id, String why) {
        AwaitingCommit waiting = awaitingCommit.remove(id);
        if (waiting == null) {
            return;
        }
        waiting.timeout().cancel(false);
        release(waiting);
        try (var ignored = MDC.putCloseable("requestId", id.toString())) {
            logger.info("AGT-331 request dropped unapplied: {}", why);
        }
        closeIfDrained(ctx);
    }

    /** The request no longer counts against the in-flight limits. */
    private void release(AwaitingCommit waiting) {
        stats.inFlightBytes.addAndGet(-waiting.bytes());
        stats.inFlight.decrementAndGet();
    }

    private void process(ChannelHandlerContext ctx, AwaitingCommit committed) {
        Message.Request r = committed.request();
        RequestId id = r.requestId();
        try (var ignored = MDC.putCloseable("requestId", id.toString())) {
            long started = System.nanoTime();
            int version = -1;
            PasswordRequest request = null;
            try {
                version = Envelope.keyVersion(r.sealed());
                request = Sealing.openRequest(r.sealed(), envelope(FrameType.REQUEST, id), context.keys());
                refuseIfStale(id, request);
                Outcome outcome = context.processor().apply(request);
                (outcome.succeeded() ? stats.succeeded : stats.failed).incrementAndGet();
                sendResult(ctx, id, version, outcome);
                logger.info("AGT-200 {} anchor={} result={}{} directory={} server={} millis={}", request.operation(), LogSafe.of(request.anchor()),
                        outcome.code(), outcome.reason() == dev.writeback.protocol.PolicyReason.NONE ? "" : "/" + outcome.reason(),
                        outcome.directory(), outcome.server(), (System.nanoTime() - started) / 1_000_000);
            } catch (ProtocolException e) {
                stats.rejected.incrementAndGet();
                logger.warn("AGT-330 request rejected code={}: {}", e.code(), e.getMessage());
                ctx.writeAndFlush(new Message.ErrorMessage(id, e.code(), e.code() + ": request rejected by the agent"));
            } catch (RuntimeException e) {
                stats.failed.incrementAndGet();
                logger.warn("AGT-390 request failed: {}", e.toString());
                sendResult(ctx, id, version, Outcome.of(ResultCode.INTERNAL_ERROR,
                        "agent error: " + e.getClass().getSimpleName()));
            } finally {
                if (request != null) {
                    request.destroy();
                }
                release(committed);
                ctx.executor().execute(() -> closeIfDrained(ctx));
            }
        }
    }

    /**
     * Refuses expired, future-dated and replayed requests; nothing has been applied at this point. The replay guard
     * is consulted last, so it records only requests that are about to be applied: a relay sending requests dated
     * far ahead or long expired cannot fill it with ids that stay for as long as their forged expiry says.
     */
    private void refuseIfStale(RequestId id, PasswordRequest request) {
        Instant relayNow = context.clock().instant().plusMillis(relayOffsetMillis);
        if (relayNow.isAfter(request.expiresAt())) {
            throw new ProtocolException(ErrorCode.EXPIRED, "request expired at " + request.expiresAt() + " (relay time now: " + relayNow + ")");
        }
        if (request.issuedAt().isAfter(relayNow.plus(SKEW))) {
            throw new ProtocolException(ErrorCode.EXPIRED, "request issued at " + request.issuedAt() + " is in the future (relay time now: " + relayNow + ")");
        }
        if (!replays.firstTime(id, request.expiresAt().plus(SKEW), relayNow)) {
            throw new ProtocolException(ErrorCode.REPLAYED, "request id " + id + " seen before (expected: a new request)");
        }
    }

    private void sendResult(ChannelHandlerContext ctx, RequestId id, int version, Outcome outcome) {
        var key = version < 0 ? java.util.Optional.<dev.writeback.protocol.crypto.PackageKey>empty() : context.keys().packageKey(version);
        if (key.isEmpty()) {
            ctx.writeAndFlush(new Message.ErrorMessage(id, ErrorCode.UNKNOWN_KEY_VERSION, "no package key to seal the result"));
            return;
        }
        byte[] sealed = Sealing.sealResult(outcome, key.get(), envelope(FrameType.RESULT, id), context.random());
        ctx.writeAndFlush(new Message.Result(id, sealed));
    }

    private void onRotateKeys(ChannelHandlerContext ctx, Message.RotateKeys r) {
        context.workers().execute(() -> {
            try {
                var pair = context.keys().prepare(r.keyVersion(), context.random());
                ctx.writeAndFlush(new Message.Keys(r.keyVersion(), pair.getPublic().getEncoded(), new byte[0]));
                logger.info("AGT-400 new encryption key version {} generated, public key sent", r.keyVersion());
            } catch (AgentKeys.RefusedVersionException e) {
                logger.warn("AGT-406 key rotation refused, the keys held are unchanged: {}", e.getMessage());
            } catch (IOException | RuntimeException e) {
                logger.warn("AGT-405 key rotation to version {} failed: {}", r.keyVersion(), e.toString());
            }
        });
    }

    private void onKeys(Message.Keys k) {
        // On the event loop, before the next frame is read: the relay seals with this version right after sending it.
        try {
            int previous = context.keys().currentVersion();
            context.keys().add(k.keyVersion(), k.wrappedPackageKey());
            logger.info("AGT-401 key version {} active; version {} kept for {} s", k.keyVersion(), previous, context.timings().keyOverlap().toSeconds());
            link.destroyKeysLater(k.keyVersion());
        } catch (AgentKeys.RefusedVersionException e) {
            logger.warn("AGT-406 key installation refused, the keys held are unchanged: {}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            logger.warn("AGT-405 key version {} could not be installed: {}", k.keyVersion(), e.toString());
        }
    }

    private void closeIfDrained(ChannelHandlerContext ctx) {
        if (draining && stats.inFlight() == 0 && ctx.channel().isActive()) {
            ctx.writeAndFlush(new CloseWebSocketFrame(1000, "reconnecting after GOAWAY")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Seals and writes one hash sync batch with the current package key; the future completes with the relay's
     * acknowledgement, or fails when the link closes first, another batch is still unacknowledged, or this link
     * is not ready. The batch's hashes are wiped once sealed.
     */
    java.util.concurrent.CompletableFuture<Message.HashSyncAck> sendHashSync(dev.writeback.protocol.hashsync.HashSyncBatch batch) {
        var answer = new java.util.concurrent.CompletableFuture<Message.HashSyncAck>();
        ChannelHandlerContext ctx = readyContext;
        if (ctx == null || !ctx.channel().isActive() || draining) {
            answer.completeExceptionally(new IOException("relay link not ready"));
            return answer;
        }
        ctx.executor().execute(() -> {
            if (pendingHashSync != null) {
                answer.completeExceptionally(new IllegalStateException("hash sync batch cursor=" + pendingHashSync.cursor
                        + " still unacknowledged (expected: one at a time)"));
                return;
            }
            var key = context.keys().packageKey(context.keys().currentVersion());
            if (key.isEmpty() || ready == null) {
                answer.completeExceptionally(new IOException("no package key to seal the hash sync batch"));
                return;
            }
            byte[] sealed;
            try {
                sealed = dev.writeback.protocol.crypto.Sealing.sealHashSync(batch, key.get(),
                        envelope(FrameType.HASH_SYNC, RequestId.ZERO), context.random());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
                return;
            }
            pendingHashSync = new PendingHashSync(batch.cursor(), answer);
            stats.hashSyncBatches.incrementAndGet();
            stats.hashSyncBytes.addAndGet(HASH_SYNC_FRAME_OVERHEAD + sealed.length);
            ctx.writeAndFlush(new Message.HashSync(batch.cursor(), sealed)).addListener(f -> {
                if (!f.isSuccess() && pendingHashSync != null && pendingHashSync.answer == answer) {
                    pendingHashSync = null;
                    answer.completeExceptionally(new IOException("hash sync batch not written: " + f.cause()));
                }
            });
        });
        return answer;
    }

    private void onHashSyncAck(Message.HashSyncAck a) {
        PendingHashSync p = pendingHashSync;
        if (p == null || p.cursor != a.cursor()) {
            logger.warn("AGT-620 HASH_SYNC_ACK for cursor {} that is not waiting (expected: {})", a.cursor(),
                    p == null ? "none" : String.valueOf(p.cursor));
            return;
        }
        pendingHashSync = null;
        p.answer.complete(a);
    }

    private EnvelopeContext envelope(FrameType type, RequestId id) {
        return new EnvelopeContext(type, id, ready.tenantId(), context.agentId());
    }

    boolean draining() {
        return draining;
    }

    /** The relay node of this session (READY's nodeId); empty before READY or from a relay on its own. */
    String nodeId() {
        return ready == null ? "" : ready.nodeId();
    }

    /** How long nothing has arrived on this connection. */
    Duration quietFor() {
        return Duration.between(lastRead, context.clock().instant());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (RequestId id : new java.util.ArrayList<>(awaitingCommit.keySet())) {
            dropUncommitted(ctx, id, "connection lost before COMMIT; the relay may send it to another agent");
        }
        if (pendingHashSync != null) {
            pendingHashSync.answer.completeExceptionally(new IOException("relay link closed before HASH_SYNC_ACK"));
            pendingHashSync = null;
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (ping != null) {
            ping.cancel(false);
        }
        link.onClosed(this, ready != null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = DecoderFailures.unwrap(cause);
        logger.warn("AGT-190 relay connection error: {}", root.toString());
        ctx.close();
    }

    private record PendingHashSync(long cursor, java.util.concurrent.CompletableFuture<Message.HashSyncAck> answer) {}

    private record AwaitingCommit(Message.Request request, int bytes, ScheduledFuture<?> timeout) {}
}
