package dev.writeback.agent.link;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.FrameCodec;
import dev.writeback.protocol.crypto.Signatures;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One trial connection to the relay for {@code agent doctor}: TCP (through the proxy when configured), TLS with the
 * agent's trust (the pin), the WebSocket upgrade, then HELLO / AUTH signed with the agent's identity key / READY,
 * and a clean close. Each step is reported; the first that fails ends the probe and names the URL.
 */
public final class RelayProbe {
    /** The longest each step may take. */
    public static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    /** One step's verdict, printed by {@code agent doctor}. */
    public record Step(boolean ok, String name, String detail) {
        public Step {
            requireNonNull(name, "name");
            requireNonNull(detail, "detail");
        }
    }

    /** Who connects and how. */
    public record Target(URI relay, RelayTrust trust, ProxySettings proxy, String agentId, String agentVersion,
            PrivateKey identityKey) {
        public Target {
            requireNonNull(relay, "relay");
            requireNonNull(trust, "trust");
            requireNonNull(agentId, "agentId");
            requireNonNull(agentVersion, "agentVersion");
            requireNonNull(identityKey, "identityKey");
        }

        String host() {
            return relay.getHost();
        }

        int port() {
            return relay.getPort() > 0 ? relay.getPort() : 443;
        }

        String via() {
            return proxy == null ? "" : " via proxy " + proxy.address().getHostString() + ":" + proxy.address().getPort();
        }
    }

    private RelayProbe() {}

    /** Runs the steps in order and returns each one's verdict; the last is the first failure, if any. */
    public static List<Step> run(Target target, Clock clock, Duration stepTimeout) {
        var steps = new ArrayList<Step>();
        SslContext tls;
        try {
            tls = target.trust().nettyContext();
        } catch (IOException | RuntimeException e) {
            steps.add(new Step(false, "relay trust", target.trust().describe() + ": " + e.getMessage()));
            return steps;
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        var authenticated = new CompletableFuture<Step>();
        Channel channel = null;
        try {
            ChannelFuture connect = bootstrap(group, tls, target, clock, authenticated).connect(target.proxy() == null
                    ? new InetSocketAddress(target.host(), target.port())
                    : InetSocketAddress.createUnresolved(target.host(), target.port()));
            channel = connect.channel();
            String url = "https://" + target.host() + ":" + target.port();
            if (!connect.awaitUninterruptibly(stepTimeout.toMillis()) || !connect.isSuccess()) {
                steps.add(new Step(false, "relay connect", url + " unreachable" + target.via() + ": "
                        + (connect.cause() == null ? "no answer within " + stepTimeout.toSeconds() + "s"
                                : root(connect.cause()))));
                return steps;
            }
            steps.add(new Step(true, "relay connect", target.host() + ":" + target.port() + target.via()));
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            var handshake = ssl.handshakeFuture();
            if (!handshake.awaitUninterruptibly(stepTimeout.toMillis()) || !handshake.isSuccess()) {
                steps.add(new Step(false, "relay certificate", url + ": " + tlsProblem(handshake.cause(), target)));
                return steps;
            }
            steps.add(new Step(true, "relay certificate", ssl.engine().getSession().getProtocol() + ", "
                    + target.trust().describe()));
            steps.add(await(authenticated, url, stepTimeout));
            return steps;
        } finally {
            if (channel != null) {
                channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static Step await(CompletableFuture<Step> authenticated, String url, Duration stepTimeout) {
        try {
            return authenticated.get(stepTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Step(false, "relay authentication", url + ": no READY within " + stepTimeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            return new Step(false, "relay authentication", url + ": " + root(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "relay authentication", url + ": interrupted");
        }
    }

    private static Bootstrap bootstrap(EventLoopGroup group, SslContext tls, Target target, Clock clock,
            CompletableFuture<Step> authenticated) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) STEP_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        var p = ch.pipeline();
                        ProxySettings proxy = target.proxy();
                        if (proxy != null) {
                            p.addLast("proxy", proxy.username() == null ? new HttpProxyHandler(proxy.address())
                                    : new HttpProxyHandler(proxy.address(), proxy.username(), new String(proxy.password())));
                        }
                        p.addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port()));
                        p.addLast("http", new HttpClientCodec());
                        p.addLast("aggregate", new HttpObjectAggregator(ProtocolVersion.MAX_FRAME_BYTES));
                        URI ws = URI.create("wss://" + target.host() + ":" + target.port() + ProtocolVersion.AGENT_PATH);
                        p.addLast("websocket", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                .webSocketUri(ws).version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders())
                                .maxFramePayloadLength(ProtocolVersion.MAX_FRAME_BYTES).handleCloseFrames(false)
                                .handshakeTimeoutMillis(STEP_TIMEOUT.toMillis()).build()));
                        p.addLast("frames", new FrameCodec());
                        p.addLast("probe", new ProbeHandler(target, clock, authenticated));
                    }
                });
    }

    /** What a failed TLS handshake means for the operator: a wrong pin or CA gets the hint to re-pin. */
    static String tlsProblem(Throwable cause, Target target) {
        if (cause == null) {
            return "no TLS handshake within " + STEP_TIMEOUT.toSeconds() + "s";
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return t.getMessage() + "; if the relay's key was replaced, re-pin: agent trust --config agent.yaml"
                        + " --fingerprint <key pin the relay prints as RLY-002> (or --ca-file)";
            }
        }
        return root(cause);
    }

    static String root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }

    /** HELLO in, AUTH out, READY in: then a clean close; anything else is the failed step. */
    private static final class ProbeHandler extends ChannelInboundHandlerAdapter {
        private final Target target;
        private final Clock clock;
        private final CompletableFuture<Step> done;

        ProbeHandler(Target target, Clock clock, CompletableFuture<Step> done) {
            this.target = target;
            this.clock = clock;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Message.Hello hello) {
                    long now = clock.millis();
                    byte[] payload = Message.Auth.signedPayload(hello.nonce(), target.agentId(), target.host(), now);
                    ctx.writeAndFlush(new Message.Auth(target.agentId(), now, target.host(), target.agentVersion(),
                            Signatures.sign(target.identityKey(), payload)));
                } else if (msg instanceof Message.Ready ready) {
                    done.complete(new Step(true, "relay authentication", "agent=" + target.agentId() + " tenant="
                            + ready.tenantId() + " keyVersion=" + ready.keyVersion() + " (HELLO, AUTH, READY)"));
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, "agent doctor done"))
                            .addListener(ChannelFutureListener.CLOSE);
                } else if (msg instanceof Message.ErrorMessage error) {
                    done.complete(new Step(false, "relay authentication", "refused: " + error.code() + " "
                            + error.message()));
                } else if (msg instanceof CloseWebSocketFrame close) {
                    done.complete(new Step(false, "relay authentication", "relay closed the connection: "
                            + close.statusCode() + " " + close.reasonText()));
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete(new Step(false, "relay authentication", "connection closed before READY"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.complete(new Step(false, "relay authentication", root(cause)));
            ctx.close();
        }
    }
}
