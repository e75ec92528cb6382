package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.ProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time limits of one plain HTTP connection, so a client cannot hold it open for free: a request must arrive
 * completely within {@code requestTimeout} of its first byte (slowloris), and a keep-alive connection with no
 * request in progress is closed after {@code idleTimeout}, and a new connection must have sent its first complete
 * request within {@code firstRequestTimeout} of opening ({@code agents.authTimeout}: TLS and an agent's upgrade
 * request fit easily; a client that connects and says nothing is gone before it can pile up). Time the relay spends answering a complete request
 * does not count. Both limits end only when the agent WebSocket handshake has completed, since the WebSocket
 * has its own (AUTH and silence) limits; a request for the agent WebSocket that is answered with anything but
 * {@code 101} (a {@code 426} for an unsupported version, say) closes the connection after the answer.
 *
 * <p>Three handlers share one instance per connection: {@link #firstByte()} goes between TLS and the HTTP codec
 * and sees every inbound byte; {@link #lastByte()} goes after the HTTP codec and sees where each request ends;
 * {@link #handshake()} goes after the WebSocket handler and sees its handshake complete.
 */
final class HttpDeadlines {
    /** Default time from a request's first byte to its last. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Default time a keep-alive connection may wait for its next request. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger logger = LoggerFactory.getLogger(HttpDeadlines.class);

    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final Duration firstRequestTimeout;
    private final FirstByte firstByte = new FirstByte();
    private final LastByte lastByte = new LastByte();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean receiving;      // a request has begun and has not ended
    private int unanswered;         // complete requests not yet answered
    private boolean agentRequest;   // the request in progress asks for the agent WebSocket
    private boolean upgraded;
    private final Handshake handshake = new Handshake();

    HttpDeadlines(Duration requestTimeout, Duration idleTimeout) {
        this(requestTimeout, idleTimeout, idleTimeout);
    }

    HttpDeadlines(Duration requestTimeout, Duration idleTimeout, Duration firstRequestTimeout) {
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
        this.firstRequestTimeout = requireNonNull(firstRequestTimeout, "firstRequestTimeout");
    }

    /** The handler between TLS and the HTTP codec. */
    ChannelHandler firstByte() {
        return firstByte;
    }

    /** The handler after the HTTP codec, before the aggregator. */
    ChannelHandler lastByte() {
        return lastByte;
    }

    /** The handler after the WebSocket handler: hands the connection over once the handshake completed. */
    ChannelHandler handshake() {
        return handshake;
    }

    private void onBytes() {
        if (upgraded || receiving) {
            return;
        }
        receiving = true;
        arm(requestTimeout, this::requestTimedOut);
    }

    private void onDecoded(Object msg) {
        if (msg instanceof HttpRequest request) {
            agentRequest = ProtocolVersion.AGENT_PATH.equals(request.uri());
        }
        if (msg instanceof LastHttpContent) {
            receiving = false;
            unanswered++;
            cancel();
        }
    }

    private void onResponseWritten() {
        if (upgraded) {
            return;
        }
        unanswered = Math.max(0, unanswered - 1);
        if (unanswered == 0 && !receiving) {
            arm(idleTimeout, this::idle);
        }
    }

    /** The agent WebSocket's AUTH and silence limits apply from here on. */
    private void handOver() {
        upgraded = true;
        cancel();
        for (ChannelHandler h : new ChannelHandler[] {firstByte, lastByte, handshake}) {
            if (ctx.pipeline().context(h) != null) {
                ctx.pipeline().remove(h);
            }
        }
    }

    private void requestTimedOut() {
        logger.info("API-408 request not complete within {} s, closing remote={}", requestTimeout.toSeconds(),
                ctx.channel().remoteAddress());
        if (unanswered > 0) {
            ctx.close();   // an earlier request's response is still to come: a 408 here would interleave with it
            return;
        }
        byte[] body = ("{\"error\":\"" + dev.writeback.relay.api.ApiError.REQUEST_TIMEOUT.name() + "\",\"field\":\"request\",\"message\":\"request: not complete within "
                + requestTimeout.toSeconds() + " s (expected: the whole request at once)\"}").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
        ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);   // below the HTTP codec: raw bytes
    }

    private void opened() {
        arm(firstRequestTimeout, () -> {
            // quiet: an unauthenticated client can open these by the thousand (RLY-060 covers the caps)
            logger.debug("No request within {} s of connecting, closing remote={}", firstRequestTimeout.toSeconds(),
                    ctx.channel().remoteAddress());
            ctx.close();
        });
    }

    private void idle() {
        logger.debug("Keep-alive connection idle for {} s, closing remote={}", idleTimeout.toSeconds(),
                ctx.channel().remoteAddress());
        ctx.close();
    }

    private void arm(Duration delay, Runnable task) {
        cancel();
        timer = ctx.executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Sees raw inbound bytes; arms the idle timer when the connection opens. */
    private final class FirstByte extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            ctx = context;
            if (context.channel().isActive()) {
                opened();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext context) throws Exception {
            opened();
            super.channelActive(context);
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object msg) {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                onBytes();
            }
            context.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) throws Exception {
            cancel();
            super.channelInactive(context);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext context) {
            cancel();
        }
    }

    /** Sees decoded requests (where each one ends, and whether it asks for the agent WebSocket) and responses. */
    private final class LastByte extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext context, Object msg) {
            onDecoded(msg);
            context.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
            boolean last = msg instanceof LastHttpContent;
            boolean refusedUpgrade = agentRequest && msg instanceof HttpResponse r
                    && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            ChannelPromise written = refusedUpgrade ? promise.unvoid() : promise;
            context.write(msg, written);
            if (refusedUpgrade) {
                // the agent WebSocket was asked for and not granted: nothing else is expected on this connection
                logger.debug("Agent WebSocket handshake refused ({}), closing remote={}", ((HttpResponse) msg).status().code(),
                        context.channel().remoteAddress());
                written.addListener(ChannelFutureListener.CLOSE);
            }
            if (last) {
                onResponseWritten();
            }
        }
    }

    /** Sees the WebSocket handshake complete: only then is the connection the agent WebSocket's. */
    private final class Handshake extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete && ctx != null) {
                handOver();
            }
            context.fireUserEventTriggered(evt);
        }
    }
}
