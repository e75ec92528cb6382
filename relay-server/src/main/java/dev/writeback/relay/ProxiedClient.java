package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.net.ClientAddress;
import dev.writeback.relay.api.TrustedProxies;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the client's address from a trusted proxy: the PROXY protocol header (v1 or v2) that a trusted peer sends
 * before TLS when {@code proxies.protocol: proxy-v1v2}, and the {@code X-Forwarded-For} header of each HTTP
 * request (the agent WebSocket's upgrade request included), read only when the peer is trusted. From any other
 * peer both are ignored: no PROXY decoder is even added, and the header is not read, so a client cannot choose
 * the address its failures are counted against. The result is in {@link ClientAddress}.
 */
final class ProxiedClient {
    static final String FORWARDED_FOR = "X-Forwarded-For";

    private static final Logger logger = LoggerFactory.getLogger(ProxiedClient.class);

    private ProxiedClient() {}

    /** Adds the PROXY protocol decoder first in the pipeline when the peer is trusted and the protocol is on. */
    static void addProxyProtocol(ChannelPipeline pipeline, TrustedProxies proxies) {
        SocketAddress peer = pipeline.channel().remoteAddress();
        if (!proxies.proxyProtocol() || !(peer instanceof InetSocketAddress inet) || inet.getAddress() == null
                || !proxies.trusts(inet.getAddress())) {
            return;
        }
        pipeline.addFirst("proxy-protocol-header", new ProxyHeader());
        pipeline.addFirst("proxy-protocol", new HAProxyMessageDecoder());
    }

    /** The handler after the HTTP aggregator that sets {@link ClientAddress#CURRENT} for each request. */
    static ChannelHandler forwardedFor(TrustedProxies proxies) {
        return new ForwardedFor(requireNonNull(proxies, "proxies"));
    }

    /** Reads the decoded PROXY header, keeps its source address, and leaves the pipeline. */
    private static final class ProxyHeader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage header)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
                    if (bytes != null) {
                        ctx.channel().attr(ClientAddress.PROXIED).set(new InetSocketAddress(
                                java.net.InetAddress.getByAddress(bytes), header.sourcePort()));
                    }
                }   // LOCAL (the proxy's own health check) or an unknown family: the proxy itself is the peer
            } catch (java.net.UnknownHostException e) {
                logger.debug("PROXY header source not an address, keeping the peer: {}", e.toString());
            } finally {
                header.release();
                ctx.pipeline().remove(this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a trusted peer that sent no or a broken PROXY header: cheap to provoke, no stack trace
            logger.debug("PROXY protocol header refused, closing remote={}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    @ChannelHandler.Sharable
    private static final class ForwardedFor extends ChannelInboundHandlerAdapter {
        private final TrustedProxies proxies;

        ForwardedFor(TrustedProxies proxies) {
            this.proxies = proxies;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                ctx.channel().attr(ClientAddress.CURRENT).set(
                        proxies.client(ClientAddress.peer(ctx.channel()), request.headers().get(FORWARDED_FOR)));
            }
            ctx.fireChannelRead(msg);
        }
    }
}
