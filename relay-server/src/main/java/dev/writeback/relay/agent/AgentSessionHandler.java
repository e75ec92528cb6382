package dev.writeback.relay.agent;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.codec.DecoderFailures;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.Signatures;
import dev.writeback.relay.net.ClientAddress;
import dev.writeback.relay.net.FailureLimiter;
import dev.writeback.relay.store.AgentKey;
import dev.writeback.relay.store.AgentRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's side of one agent WebSocket: HELLO → AUTH → READY, then requests, results, heartbeats and key
 * rollover. Anything else — a frame before authentication, an unknown type, a text frame — is answered with
 * ERROR and a close that says why. HTTP requests on non-WebSocket connections pass through to the REST API.
 *
 * <p>Failed authentications (unknown agent, bad signature, stale timestamp, wrong relay host) are counted per
 * source address (the client address a trusted proxy named, see {@link ClientAddress}); once a source has used up
 * {@link #AUTH_FAILURE_BURST} per {@link #AUTH_FAILURE_WINDOW}, its further failures are answered
 * {@link ErrorCode#RATE_LIMITED}, which agents retry on their normal backoff. A valid AUTH is always accepted,
 * whatever the source's failures: several agents behind one NAT must not lock each other out.
 *
 * <p>A connection must be authenticated within {@code agents.authTimeout} of its WebSocket handshake; the HTTP
 * side ({@code HttpDeadlines}) gives a new connection the same time for its first request.
 */
public final class AgentSessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(AgentSessionHandler.class);
    /** How far an AUTH timestamp may be from the relay's clock. */
    static final Duration AUTH_SKEW = Duration.ofMinutes(5);
    /** Failed agent authentications a source address may make per {@link #AUTH_FAILURE_WINDOW}. */
    public static final int AUTH_FAILURE_BURST = 10;
    /** Time over which a source's failed-authentication allowance refills completely. */
    public static final Duration AUTH_FAILURE_WINDOW = Duration.ofMinutes(1);
    /** How long a refused connection stays open (reading and discarding) for the peer to close it first. */
    static final Duration CLOSE_LINGER = Duration.ofSeconds(2);

    private final SessionContext context;
    private final KeyRotation rotation;
    private final FailureLimiter authFailures;
    private byte[] nonce;
    private boolean closing;
    private boolean authenticating;
    private AgentSession session;
    private ScheduledFuture<?> authTimeout;
    private long openedNanos = -1;   // on the event loop's ticker

    /** A handler for one connection. */
    public AgentSessionHandler(SessionContext context, KeyRotation rotation, FailureLimiter authFailures) {
        this.context = context;
        this.rotation = rotation;
        this.authFailures = authFailures;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            openedNanos = ctx.executor().ticker().nanoTime();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (openedNanos < 0) {
            openedNanos = ctx.executor().ticker().nanoTime();
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            nonce = new byte[Message.Hello.NONCE_BYTES];
            context.random().nextBytes(nonce);
            ctx.writeAndFlush(new Message.Hello(nonce, context.clock().millis(), context.relayName()));
            // agents.authTimeout counts from the connection's start: TLS and the upgrade took part of it already
            long limit = context.config().authTimeout().toNanos();
            long spent = openedNanos < 0 ? 0 : ctx.executor().ticker().nanoTime() - openedNanos;
            authTimeout = ctx.executor().schedule(() -> refuse(ctx, ErrorCode.AUTHENTICATION_FAILED,
                    "no AUTH within " + context.config().authTimeout().toSeconds() + " s of connecting"),
                    Math.max(0, limit - spent), TimeUnit.NANOSECONDS);
            return;
        }
        if (evt instanceof IdleStateEvent && nonce != null) {
            logger.warn("RLY-220 agent silent for {} s, closing agent={} remote={}",
                    context.config().agentSilenceLimit().toSeconds(), session == null ? "-" : session.agentId(), ClientAddress.of(ctx.channel()));
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);   // refused: nothing more is read from this connection
            return;
        }
        if (msg instanceof Message m) {
            handle(ctx, m);
            return;
        }
        if (msg instanceof WebSocketFrame) {
            boolean text = msg instanceof TextWebSocketFrame;
            ReferenceCountUtil.release(msg);
            refuse(ctx, ErrorCode.MALFORMED_FRAME, (text ? "text frame" : "continuation frame")
                    + " (expected: one binary message per frame)",
                    text ? WebSocketCloseStatus.INVALID_MESSAGE_TYPE : WebSocketCloseStatus.PROTOCOL_ERROR);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void handle(ChannelHandlerContext ctx, Message m) {
        if (session == null) {
            if (m instanceof Message.Auth auth && !authenticating) {
                authenticate(ctx, auth);
            } else if (m instanceof Message.Auth) {
                refuse(ctx, ErrorCode.UNEXPECTED_FRAME, "a second AUTH while the first is checked (expected: one AUTH per connection)");
            } else {
                refuse(ctx, ErrorCode.UNEXPECTED_FRAME, m.type() + " before authentication (expected: AUTH)");
            }
            return;
        }
        if (m instanceof Message.Accepted a) {
            session.onAccepted(a.requestId());
        } else if (m instanceof Message.Result r) {
            session.onResult(r);
        } else if (m instanceof Message.Heartbeat hb) {
            onHeartbeat(hb);
        } else if (m instanceof Message.Keys k) {
            rotation.onKeys(session, k);
        } else if (m instanceof Message.HashSync h) {
            onHashSync(ctx, h);
        } else if (m instanceof Message.ErrorMessage e) {
            if (e.requestId().isZero()) {
                logger.warn("RLY-330 agent reported error agent={} code={}: {}", session.agentId(), e.code(), LogSafe.of(e.message()));
            } else {
                session.onRequestError(e);
            }
        } else {
            refuse(ctx, ErrorCode.UNEXPECTED_FRAME, m instanceof Message.Auth
                    ? "AUTH after authentication (expected: one AUTH per connection)"
                    : m.type() + " from an agent (expected: ACCEPTED, RESULT, HEARTBEAT, KEYS, HASH_SYNC or ERROR)");
        }
    }

    /**
     * Opens a hash sync batch on the event loop (one AES-GCM open), stores it on the intake's threads, and answers
     * HASH_SYNC_ACK. A body that does not open is answered "not stored" and logged, as the link stays up.
     */
    private void onHashSync(ChannelHandlerContext ctx, Message.HashSync h) {
        var intake = context.hashSync();
        String tenantId = session.tenantId();
        String agentId = session.agentId();
        if (intake == null) {
            ctx.writeAndFlush(new Message.HashSyncAck(h.cursor(), false, false, false));
            return;
        }
        dev.writeback.protocol.hashsync.HashSyncBatch batch;
        try {
            int version = dev.writeback.protocol.crypto.Envelope.keyVersion(h.sealed());
            var key = session.keys().key(version).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                    "key version: " + version + " (expected: a version this session holds)"));
            batch = dev.writeback.protocol.crypto.Sealing.openHashSync(h.sealed(), h.cursor(),
                    session.context(dev.writeback.protocol.FrameType.HASH_SYNC, dev.writeback.protocol.RequestId.ZERO), key);
        } catch (ProtocolException e) {
            logger.warn("RLY-605 hash sync batch rejected agent={} cursor={}: {}", agentId, h.cursor(), e.getMessage());
            ctx.writeAndFlush(new Message.HashSyncAck(h.cursor(), false, true, false));   // kept for the next cycle
            return;
        }
        intake.submit(tenantId, agentId, batch).thenAccept(ctx::writeAndFlush);
    }

    private void authenticate(ChannelHandlerContext ctx, Message.Auth auth) {
        authenticating = true;
        CompletableFuture<Optional<AgentState>> lookedUp;
        try {
            lookedUp = CompletableFuture.supplyAsync(() -> lookup(auth.agentId()), context.blocking());
        } catch (RejectedExecutionException e) {
            refuse(ctx, ErrorCode.BUSY, "relay too busy (expected: retry later)");   // the blocking queue is full
            return;
        }
        lookedUp.whenComplete((found, error) -> ctx.executor().execute(() -> {
                    if (error != null) {
                        logger.warn("RLY-231 agent lookup failed agent={}: {}", LogSafe.of(auth.agentId()), error.toString());
                        refuse(ctx, ErrorCode.INTERNAL, "relay store unavailable, try again later");
                    } else {
                        finishAuth(ctx, auth, found);
                    }
                }));
    }

    private Optional<AgentState> lookup(String agentId) {
        Optional<AgentRecord> agent = context.store().agent(agentId);
        if (agent.isEmpty()) {
            return Optional.empty();
        }
        List<AgentKey> keys = context.store().keys(agentId);
        return Optional.of(new AgentState(agent.get(), keys));
    }

    private void finishAuth(ChannelHandlerContext ctx, Message.Auth auth, Optional<AgentState> found) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (found.isEmpty()) {
            authFailed(ctx, ErrorCode.UNKNOWN_AGENT, "agent " + abbreviate(auth.agentId()) + " is not registered (expected: register with a token first)");
            return;
        }
        AgentRecord agent = found.get().agent();
        byte[] payload = Message.Auth.signedPayload(nonce, auth.agentId(), auth.relayHost(), auth.timestampMillis());
        if (!Signatures.verify(KeyPairs.identityPublicKey(agent.identityPublicKey()), payload, auth.signature())) {
            authFailed(ctx, ErrorCode.AUTHENTICATION_FAILED, "signature does not verify with the registered identity key");
            return;
        }
        long skew = Math.abs(auth.timestampMillis() - context.clock().millis());
        if (skew > AUTH_SKEW.toMillis()) {
            authFailed(ctx, ErrorCode.AUTHENTICATION_FAILED, "timestamp off by " + skew / 1000 + " s (expected: within "
                    + AUTH_SKEW.toSeconds() + " s of the relay's clock; check the agent's time)");
            return;
        }
        List<String> hosts = context.config().publicHostnames();
        if (!hosts.isEmpty() && !hosts.contains(auth.relayHost())) {
            authFailed(ctx, ErrorCode.AUTHENTICATION_FAILED, "relay host " + abbreviate(auth.relayHost()) + " (expected: one of " + hosts + ")");
            return;
        }
        SessionKeys keys = SessionKeys.of(found.get().keys(), rotation.sealingCeiling(agent.id()));
        if (keys.isEmpty()) {
            refuse(ctx, ErrorCode.UNKNOWN_KEY_VERSION, "agent has no active key version (expected: re-register the agent)");
            return;
        }
        ready(ctx, agent, auth.agentVersion(), keys);
    }

    private void ready(ChannelHandlerContext ctx, AgentRecord agent, String version, SessionKeys keys) {
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        var config = context.config();
        session = new AgentSession(ctx.channel(), agent.id(), agent.name(), agent.tenantId(), UUID.randomUUID().toString(),
                version, keys, context.clock(), config.maxInFlight(), context.store()::auditBeforeCommit);
        ctx.writeAndFlush(new Message.Ready(session.sessionId(), agent.tenantId(), context.clock().millis(),
                (int) config.pingInterval().toSeconds(), (int) config.heartbeatInterval().toSeconds(), keys.currentVersion(),
                config.maxInFlight(), context.nodeId()));
        context.sessions().add(session);
        logger.info("RLY-200 agent connected agent={} name={} tenant={} session={} version={} keyVersion={} remote={}",
                agent.id(), LogSafe.of(agent.name()), agent.tenantId(), session.sessionId(), LogSafe.of(version), keys.currentVersion(), ClientAddress.of(ctx.channel()));
        var now = context.clock().instant();
        touchLater(agent.id(), now, version);
        rotation.onReady(session);
    }

    private void onHeartbeat(Message.Heartbeat hb) {
        session.onHeartbeat(hb);
        rotation.onHeartbeat(session, hb.keyVersion());
        logger.info("RLY-310 heartbeat agent={} tenant={} version={} uptime={}s keyVersion={} inFlight={} succeeded={} failed={} rejected={} directories={}",
                session.agentId(), session.tenantId(), LogSafe.of(hb.agentVersion()), hb.uptimeSeconds(), hb.keyVersion(), hb.inFlight(),
                hb.succeeded(), hb.failed(), hb.rejected(), DirectoryStatus.summary(hb.directories()));
        var now = context.clock().instant();
        String agentId = session.agentId();
        touchLater(agentId, now, hb.agentVersion());
    }

    /** Records the agent's last contact on the blocking pool; skipped (bookkeeping only) when its queue is full. */
    private void touchLater(String agentId, java.time.Instant now, String version) {
        try {
            context.blocking().execute(() -> touch(agentId, now, version));
        } catch (RejectedExecutionException e) {
            logger.debug("last contact of agent {} not recorded: blocking queue full", agentId);
        }
    }

    private void touch(String agentId, java.time.Instant now, String version) {
        try {
            context.store().touchAgent(agentId, now, version);
        } catch (RuntimeException e) {
            logger.debug("touch failed for agent {}: {}", agentId, e.toString());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        if (session != null) {
            context.sessions().remove(session);
            rotation.onClosed(session);
            session.onClosed();
            logger.info("RLY-210 agent disconnected agent={} tenant={} session={} remote={}", session.agentId(),
                    session.tenantId(), session.sessionId(), ClientAddress.of(ctx.channel()));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = DecoderFailures.unwrap(cause);
        if (root instanceof ProtocolException p && nonce != null) {
            refuse(ctx, p.code(), p.getMessage());
            return;
        }
        if (root instanceof CorruptedWebSocketFrameException c && nonce != null) {
            boolean tooBig = c.closeStatus() != null && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
            refuse(ctx, tooBig ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED_FRAME, String.valueOf(c.getMessage()));
            return;
        }
        if (nonce == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        logger.warn("RLY-290 agent connection failed remote={}: {}", ClientAddress.of(ctx.channel()), root.toString());
        ctx.close();
    }

    /**
     * Refuses a failed authentication and counts it against the source address. Once the source has no failed
     * attempts left, the failure is answered {@code RATE_LIMITED} with the wait (logged at DEBUG: RLY-235 said it
     * once), so an attacker's failures neither fill the log nor push a real agent behind the same address onto
     * its long backoff.
     */
    private void authFailed(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        String source = ClientAddress.of(ctx.channel());
        boolean alreadyOut = !authFailures.retryAfter(source).isZero();
        boolean usedUp = authFailures.recordFailure(source);
        if (alreadyOut) {
            long seconds = Math.max(1, (authFailures.retryAfter(source).toMillis() + 999) / 1000);
            logger.debug("agent AUTH from {} failed ({}) with its failed attempts used up: RATE_LIMITED, retry after {} s",
                    source, code, seconds);
            close(ctx, ErrorCode.RATE_LIMITED, "too many failed authentications from " + source
                    + " (expected: retry after " + seconds + " s)", WebSocketCloseStatus.POLICY_VIOLATION);
            return;
        }
        if (usedUp) {
            logger.warn("RLY-235 agent authentication failures from {} used up ({} per {} s); its failures are answered"
                    + " RATE_LIMITED for {} s (valid AUTHs from it are still accepted)", source, AUTH_FAILURE_BURST,
                    AUTH_FAILURE_WINDOW.toSeconds(), authFailures.retryAfter(source).toSeconds() + 1);
        }
        refuse(ctx, code, reason);
    }

    /** Answers ERROR, then closes the WebSocket with a reason a human can read. */
    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        var status = code == ErrorCode.AUTHENTICATION_FAILED || code == ErrorCode.UNKNOWN_AGENT
                ? WebSocketCloseStatus.POLICY_VIOLATION
                : code == ErrorCode.FRAME_TOO_LARGE ? WebSocketCloseStatus.MESSAGE_TOO_BIG : WebSocketCloseStatus.PROTOCOL_ERROR;
        refuse(ctx, code, reason, status);
    }

    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String reason, WebSocketCloseStatus status) {
        if (!ctx.channel().isActive() || closing) {
            return;
        }
        logger.warn("RLY-230 agent refused code={} agent={} remote={}: {}", code, session == null ? "-" : session.agentId(),
                ClientAddress.of(ctx.channel()), reason);   // outside values in it were escaped where it was built
        close(ctx, code, reason, status);
    }

    private void close(ChannelHandlerContext ctx, ErrorCode code, String reason, WebSocketCloseStatus status) {
        if (!closing && session == null) {
            context.sessions().loginRefused(code);
        }
        closing = true;
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        String text = reason.length() > 120 ? reason.substring(0, 120) : reason;
        ctx.writeAndFlush(new Message.ErrorMessage(dev.writeback.protocol.RequestId.ZERO, code, text));
        String closeReason = code + ": " + text;
        if (closeReason.length() > 100) {
            closeReason = closeReason.substring(0, 100);   // a close frame's payload is at most 125 bytes
        }
        // Close once the peer answers the close, or after a short linger: closing at once while the peer still
        // sends (an oversized frame, say) would reset the connection and lose the ERROR and the reason on the way.
        ctx.writeAndFlush(new CloseWebSocketFrame(status, closeReason.replaceAll("[^\\x20-\\x7e]", "?")))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        ctx.close();
                        return;
                    }
                    ctx.executor().schedule(() -> ctx.close(), CLOSE_LINGER.toMillis(), TimeUnit.MILLISECONDS);
                });
    }

    private static String abbreviate(String s) {
        return LogSafe.of(s, 64);   // goes into ERROR text, close reason and RLY-230
    }

    private record AgentState(AgentRecord agent, List<AgentKey> keys) {}
}
