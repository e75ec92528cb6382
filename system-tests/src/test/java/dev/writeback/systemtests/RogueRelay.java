package dev.writeback.systemtests;

import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.FrameCodec;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A relay gone bad, for testing the agent: it presents the real relay's certificate (so the agent's pin holds),
 * answers HELLO/AUTH with READY without checking anything, and then sends whatever REQUESTs a test builds —
 * replayed, expired or tampered. Everything the agent sends (but heartbeats) is queued for the test.
 */
final class RogueRelay implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Message> fromAgent = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> sessions = new LinkedBlockingQueue<>();
    private final String tenantId;
    private final int keyVersion;
    private final Channel server;
    private volatile int announcedMaxInFlight = 256;

    /** Listens on 127.0.0.1 with the TLS identity of the relay whose data directory is {@code relayDataDir}. */
    RogueRelay(Path relayDataDir, String tenantId, int keyVersion) throws Exception {
        this.tenantId = tenantId;
        this.keyVersion = keyVersion;
        Path tlsDir = relayDataDir.resolve("tls");
        SslContext tls = TlsPolicy.server(Certificates.readPrivateKey(tlsDir.resolve("relay.key")),
                Certificates.readCertificates(tlsDir.resolve("relay.crt")));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(ProtocolVersion.MAX_FRAME_BYTES));
                        ch.pipeline().addLast(new WebSocketServerProtocolHandler(ProtocolVersion.AGENT_PATH));
                        ch.pipeline().addLast(new FrameCodec());
                        ch.pipeline().addLast(new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** The {@code maxInFlight} the next READY announces. */
    void announceMaxInFlight(int value) {
        announcedMaxInFlight = value;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Waits for the agent's next authenticated connection. */
    Channel awaitSession(Duration timeout) throws InterruptedException {
        Channel c = sessions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new AssertionError("the agent did not connect to the rogue relay within " + timeout);
        }
        return c;
    }

    /** The agent's next frame that is not a heartbeat. */
    Message next(Duration timeout) throws InterruptedException {
        Message m = fromAgent.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("nothing from the agent within " + timeout);
        }
        return m;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<Message> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                byte[] nonce = new byte[Message.Hello.NONCE_BYTES];
                new SecureRandom().nextBytes(nonce);
                ctx.writeAndFlush(new Message.Hello(nonce, System.currentTimeMillis(), "rogue"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message m) {
            if (m instanceof Message.Auth) {
                ctx.writeAndFlush(new Message.Ready("rogue-session", tenantId, System.currentTimeMillis(), 30, 300, keyVersion, announcedMaxInFlight))
                        .addListener(f -> sessions.add(ctx.channel()));
            } else if (!(m instanceof Message.Heartbeat)) {
                fromAgent.add(m);
            }
        }
    }
}
