package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@link Portal} in a Netty pipeline, after the HTTP aggregator: takes every request under
 * {@code /sspr/} and passes anything else on unchanged (in the relay, to the REST API). The request is copied
 * and its buffer zeroed on the event loop; the portal runs on {@code blocking}.
 */
@ChannelHandler.Sharable
public final class PortalHandler extends ChannelInboundHandlerAdapter {
    static final AttributeKey<String> FORWARDED_CLIENT = AttributeKey.valueOf("writeback.client.current");
    static final AttributeKey<InetSocketAddress> PROXIED_CLIENT = AttributeKey.valueOf("writeback.client.proxied");
    private static final Logger logger = LoggerFactory.getLogger(PortalHandler.class);

    private final Portal portal;
    private final Executor blocking;

    public PortalHandler(Portal portal, Executor blocking) {
        this.portal = requireNonNull(portal, "portal");
        this.blocking = requireNonNull(blocking, "blocking");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !isPortal(request.uri())) {
            ctx.fireChannelRead(msg);
            return;
        }
        PortalRequest snapshot;
        boolean keepAlive;
        try {
            keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
            var decoder = new QueryStringDecoder(request.uri());
            byte[] body = ByteBufUtil.getBytes(request.content());
            if (!request.content().isReadOnly()) {
                request.content().setZero(request.content().readerIndex(), request.content().readableBytes());
            }
            snapshot = new PortalRequest(request.method().name(), decoder.path(), decoder.parameters(),
                    request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE), request.headers().get(HttpHeaderNames.COOKIE),
                    request.headers().get(HttpHeaderNames.CONTENT_TYPE), body, source(ctx),
                    request.headers().get(HttpHeaderNames.HOST), serverName(ctx.channel()));
        } finally {
            request.release();
        }
        boolean close = !keepAlive;
        try {
            blocking.execute(() -> write(ctx, portal.handle(snapshot), close));
        } catch (RejectedExecutionException e) {
            snapshot.wipe();
            write(ctx, PortalResponse.text(503, "Busy. Please try again later."), true);
        }
    }

    /** {@code /sspr/...}, and the bare root, which a tenant's own portal hostname leads to its portal from. */
    static boolean isPortal(String uri) {
        return uri.startsWith(Portal.PREFIX) || uri.equals("/") || uri.startsWith("/?");
    }

    /** The TLS server name (SNI) the client asked for, or null (no TLS, no SNI, or an IP address). */
    static String serverName(Channel channel) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null || !(tls.engine().getSession() instanceof ExtendedSSLSession session)) {
            return null;
        }
        for (SNIServerName name : session.getRequestedServerNames()) {
            if (name instanceof SNIHostName host) {
                return host.getAsciiName();
            }
        }
        return null;
    }

    private static void write(ChannelHandlerContext ctx, PortalResponse answer, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        answer.headers().forEach(response.headers()::set);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        }
    }

    private static String source(ChannelHandlerContext ctx) {
        return source(ctx.channel());
    }

    /**
     * The client's address for the per-address limits and the audit: what the relay's pipeline resolved from a
     * trusted proxy (its {@code X-Forwarded-For} or PROXY protocol header), else the TCP peer. The attribute names
     * are the relay's ({@code ClientAddress}); a portal run on its own has neither and counts the TCP peer.
     */
    public static String source(Channel channel) {
        String forwarded = channel.attr(FORWARDED_CLIENT).get();
        if (forwarded != null) {
            return forwarded;
        }
        SocketAddress peer = channel.attr(PROXIED_CLIENT).get();
        if (peer == null) {
            peer = channel.remoteAddress();
        }
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug("Portal connection failed, closing remote={}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
