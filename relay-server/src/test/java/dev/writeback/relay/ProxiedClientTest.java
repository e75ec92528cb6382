package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.writeback.protocol.testing.LogCapture;
import dev.writeback.relay.net.ClientAddress;
import dev.writeback.relay.api.TrustedProxies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client address the relay counts failures against, audits and logs: a trusted proxy may name it (PROXY
 * protocol, X-Forwarded-For), anyone else cannot.
 */
class ProxiedClientTest {
    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("10.0.0.0/8"));
    private final List<String> seen = new ArrayList<>();
    private final LogCapture logs = new LogCapture();

    @BeforeEach
    void start() {
        logs.start();
    }

    @AfterEach
    void stop() {
        logs.close();
    }

    @Test
    void forwardedFor_fromAnUntrustedPeer_isIgnored() {
        EmbeddedChannel ch = channel("192.0.2.9", PROXIES);

        request(ch, "X-Forwarded-For: 198.51.100.7\r\n");

        assertThat(seen).containsExactly("192.0.2.9");
    }

    @Test
    void forwardedFor_fromATrustedPeer_namesTheRightmostUntrustedHop() {
        EmbeddedChannel ch = channel("10.0.0.1", PROXIES);

        request(ch, "X-Forwarded-For: 203.0.113.5, 198.51.100.7, 10.0.0.2\r\n");   // the client may write the left part
        request(ch, "");                                                            // no header: the peer itself

        assertThat(seen).containsExactly("198.51.100.7", "10.0.0.1");
    }

    @Test
    void proxyProtocolV1_fromATrustedPeer_namesTheClient_andXForwardedForIsReadAgainstThatClient() {
        EmbeddedChannel ch = channel("10.0.0.1", PROXIES.withProxyProtocol(true));

        ch.writeInbound(ascii("PROXY TCP4 198.51.100.7 10.0.0.1 40000 8443\r\n"));
        request(ch, "X-Forwarded-For: 203.0.113.99\r\n");   // from the client, which is not trusted

        assertThat(seen).containsExactly("198.51.100.7");
        assertThat(ch.pipeline().get("proxy-protocol")).as("gone after the header").isNull();
    }

    @Test
    void proxyProtocolV2_fromATrustedPeer_namesTheClient() {
        var encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1", 40000, 8443));
        ByteBuf header = encoder.readOutbound();
        EmbeddedChannel ch = channel("10.0.0.1", PROXIES.withProxyProtocol(true));

        ch.writeInbound(header);
        request(ch, "");

        assertThat(seen).containsExactly("2001:db8:0:0:0:0:0:7");
    }

    @Test
    void proxyHeader_fromAnUntrustedPeer_isNotDecoded() {
        EmbeddedChannel ch = channel("192.0.2.9", PROXIES.withProxyProtocol(true));

        assertThat(ch.pipeline().get("proxy-protocol")).isNull();
    }

    @Test
    void brokenProxyHeader_fromATrustedPeer_closesQuietly() {
        EmbeddedChannel ch = channel("10.0.0.1", PROXIES.withProxyProtocol(true));

        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"));
        ch.runPendingTasks();

        assertThat(ch.isActive()).isFalse();
        assertThat(seen).isEmpty();
        assertThat(logs.events()).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    private EmbeddedChannel channel(String peer, TrustedProxies proxies) {
        var address = new InetSocketAddress(peer, 40000);
        var ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return address;
            }
        };
        ProxiedClient.addProxyProtocol(ch.pipeline(), proxies);
        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096), ProxiedClient.forwardedFor(proxies),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
                        seen.add(ClientAddress.of(ctx.channel()));
                    }
                });
        return ch;
    }

    private static void request(EmbeddedChannel ch, String headers) {
        ch.writeInbound(ascii("GET /api/v1/writeback/status HTTP/1.1\r\nHost: relay\r\n" + headers + "\r\n"));
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
