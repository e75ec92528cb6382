package dev.writeback.systemtests;

import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.MessageCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test WebSocket client for the relay's {@code /agent/v1} that sends whatever bytes a test wants, from a chosen
 * loopback source address, and records what comes back: decoded frames, the close frame, the TCP close.
 */
final class WsProbe implements AutoCloseable {
    /** What the relay said when it closed the connection. */
    record Closed(Message.ErrorMessage error, int status, String reason) {
        @Override
        public String toString() {
            return "Closed[error=" + (error == null ? "none" : error.code() + " " + error.message()) + ", status=" + status
                    + ", reason=" + reason + "]";
        }
    }

    /** A close frame as received (copied out of its buffer). */
    private record CloseFrame(int status, String reason) {}

    /** Marks a pong in the received queue. */
    static final Object PONG = new Object();
    /** Marks the end of the TCP connection in the received queue. */
    static final Object EOF = new Object();

    private final Channel channel;
    private final BlockingQueue<Object> received;

    private WsProbe(Channel channel, BlockingQueue<Object> received) {
        this.channel = channel;
        this.received = received;
    }

    /** Connects over TLS from {@code source}, pinning the relay's certificate, and completes the WebSocket upgrade. */
    static WsProbe open(EventLoopGroup group, SslContext tls, int port, String source) throws Exception {
        var received = new LinkedBlockingQueue<Object>();
        var upgraded = new CompletableFuture<Void>();
        URI uri = URI.create("wss://localhost:" + port + ProtocolVersion.AGENT_PATH);
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(tls.newHandler(c.alloc(), "localhost", port));
                        c.pipeline().addLast(new HttpClientCodec());
                        c.pipeline().addLast(new HttpObjectAggregator(ProtocolVersion.MAX_FRAME_BYTES));
                        c.pipeline().addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                .webSocketUri(uri).version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders())
                                .maxFramePayloadLength(ProtocolVersion.MAX_FRAME_BYTES).handleCloseFrames(false)
                                .dropPongFrames(false).handshakeTimeoutMillis(10_000).build()));
                        c.pipeline().addLast(new Recorder(received, upgraded));
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0))
                .sync().channel();
        upgraded.get(15, TimeUnit.SECONDS);
        return new WsProbe(ch, received);
    }

    void send(byte[] frame) {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame)));
    }

    void send(Message message) {
        channel.writeAndFlush(new BinaryWebSocketFrame(MessageCodec.encode(channel.alloc(), message)));
    }

    void sendText(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    void ping() {
        channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
    }

    /** The next message from the relay, or fails after {@code timeout} (or if the connection closed first). */
    <T extends Message> T expect(Class<T> type, Duration timeout) throws InterruptedException {
        Object o = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!type.isInstance(o)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + describe(o) + " then " + received);
        }
        return type.cast(o);
    }

    /** Waits for the relay to close the connection; returns the last ERROR before it and the close frame. */
    Closed awaitClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Message.ErrorMessage error = null;
        CloseFrame close = null;
        while (true) {
            Object o = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (o == null) {
                throw new AssertionError("not closed within " + timeout + "; last error " + error);
            }
            if (o instanceof Message.ErrorMessage e && close == null) {
                error = e;
            } else if (o instanceof CloseFrame c && close == null) {
                close = c;
            } else if (o == EOF) {
                return close == null ? new Closed(error, -1, null) : new Closed(error, close.status(), close.reason());
            }
        }
    }

    /** Sends a ping and waits for its pong: proves the relay still reads this connection. Skips other messages. */
    boolean pingPong(Duration timeout) throws InterruptedException {
        ping();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object o = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (o == PONG) {
                return true;
            }
            if (o == null || o == EOF || o instanceof CloseFrame) {
                if (o != null) {
                    received.add(o);
                }
                return false;
            }
        }
    }

    boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "nothing";
        }
        if (o instanceof CloseFrame c) {
            return "close " + c.status() + " " + c.reason();
        }
        return o == EOF ? "end of connection" : o == PONG ? "pong" : o.toString();
    }

    /** Records what the relay sends; frames the codec refuses are recorded as their hex. */
    private static final class Recorder extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final BlockingQueue<Object> received;
        private final CompletableFuture<Void> upgraded;

        Recorder(BlockingQueue<Object> received, CompletableFuture<Void> upgraded) {
            this.received = received;
            this.upgraded = upgraded;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                upgraded.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof BinaryWebSocketFrame b) {
                try {
                    received.add(MessageCodec.decode(b.content()));
                } catch (ProtocolException e) {
                    received.add("undecodable " + ByteBufUtil.hexDump(b.content()));
                }
            } else if (frame instanceof CloseWebSocketFrame c) {
                received.add(new CloseFrame(c.statusCode(), c.reasonText()));
                ctx.close();   // as an agent does on a close from the relay
            } else if (frame instanceof PongWebSocketFrame) {
                received.add(PONG);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            upgraded.completeExceptionally(new AssertionError("closed before the WebSocket upgrade"));
            received.add(EOF);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            upgraded.completeExceptionally(cause);
            ctx.close();
        }
    }
}
