package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal on its own TLS port, outside the relay: it then reaches writeback through {@link RestWriteback}.
 * Serves {@code /sspr/...} only.
 */
public final class PortalServer implements AutoCloseable {
    /** Largest request body (a form). */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Logger logger = LoggerFactory.getLogger(PortalServer.class);

    private final EventLoopGroup group;
    private final ExecutorService blocking;
    private final Channel channel;

    private PortalServer(EventLoopGroup group, ExecutorService blocking, Channel channel) {
        this.group = group;
        this.blocking = blocking;
        this.channel = channel;
    }

    /** Binds {@code address:port} (0 for ephemeral) with TLS and serves {@code portal}. */
    public static PortalServer start(Portal portal, SslContext tls, String address, int port, ExecutorService blocking)
            throws InterruptedException {
        requireNonNull(portal, "portal");
        requireNonNull(tls, "tls");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        var handler = new PortalHandler(portal, blocking);
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));                     // TLS first
                            ch.pipeline().addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS));   // idle clients go
                            ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                            ch.pipeline().addLast(new HttpObjectAggregator(MAX_BODY_BYTES));      // bounded forms
                            ch.pipeline().addLast(handler);
                        }
                    })
                    .bind(address, port).sync().channel();
            var server = new PortalServer(group, blocking, channel);
            logger.info("POR-001 portal listening on https://{}:{}/sspr/", address, server.port());
            return server;
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A blocking pool for the portal's store and writeback calls. */
    public static ExecutorService blockingPool() {
        return Executors.newFixedThreadPool(4, r -> {
            var t = new Thread(r, "portal-blocking");
            t.setDaemon(true);
            return t;
        });
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        blocking.shutdown();
        logger.info("POR-099 portal stopped");
    }
}
