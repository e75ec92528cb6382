package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request must arrive within its deadline; an idle keep-alive connection closes; only an agent WebSocket whose
 * handshake completed is exempt.
 */
class HttpDeadlinesTest {
    private static final Duration REQUEST = Duration.ofSeconds(10);
    private static final Duration IDLE = Duration.ofSeconds(60);

    private EmbeddedChannel channel;
    private boolean answer = true;

    @BeforeEach
    void install() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        var deadlines = new HttpDeadlines(REQUEST, IDLE);
        channel.pipeline().addLast("http-deadline", deadlines.firstByte());
        channel.pipeline().addLast("http", new HttpServerCodec());
        channel.pipeline().addLast("http-complete", deadlines.lastByte());
        channel.pipeline().addLast("aggregate", new HttpObjectAggregator(65536));
        channel.pipeline().addLast("websocket", new WebSocketServerProtocolHandler("/agent/v1"));
        channel.pipeline().addLast("http-handover", deadlines.handshake());
        channel.pipeline().addLast("api", new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
                if (answer) {
                    var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                    ctx.writeAndFlush(response);
                }
            }
        });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void trickledRequest_isAnswered408AndClosed_whenNotCompleteInTime() {
        send("GET /healthz HTTP/1.1\r\nHost: relay\r\n");
        elapse(REQUEST.minusSeconds(1));
        send("X-Slow: 1\r\n");                 // more bytes do not extend the deadline
        assertThat(channel.isActive()).isTrue();

        elapse(Duration.ofSeconds(1));

        assertThat(outbound()).startsWith("HTTP/1.1 408 Request Timeout").contains("\"field\":\"request\"");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void completeRequest_isNotTimed_whileTheRelayWorksOnIt() {
        answer = false;
        send("POST /api/v1/writeback/password-reset HTTP/1.1\r\nHost: relay\r\nContent-Length: 2\r\n\r\n{}");

        elapse(IDLE.plusSeconds(30));

        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void keepAliveConnection_isClosed_afterIdleTimeoutWithoutARequest() {
        send("GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n");
        assertThat(outbound()).startsWith("HTTP/1.1 200 OK");

        elapse(IDLE.minusSeconds(1));
        assertThat(channel.isActive()).isTrue();
        send("GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n");   // a new request restarts the idle time
        elapse(IDLE.minusSeconds(1));
        assertThat(channel.isActive()).isTrue();

        elapse(Duration.ofSeconds(1));
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void connectionThatNeverSendsARequest_isClosedAfterIdleTimeout() {
        elapse(IDLE);

        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void connectionThatNeverSendsARequest_isClosedWithinTheAuthTimeout_whenOneIsGiven() {
        Duration authTimeout = Duration.ofSeconds(10);
        var ch = new EmbeddedChannel();
        ch.freezeTime();
        var deadlines = new HttpDeadlines(REQUEST, IDLE, authTimeout);
        ch.pipeline().addLast(deadlines.firstByte(), new HttpServerCodec(), deadlines.lastByte());

        ch.advanceTimeBy(authTimeout.toMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(ch.isActive()).as("closed at agents.authTimeout, not after the 60 s keep-alive idle time").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void completedAgentHandshake_removesTheHttpDeadlines() {
        send("GET /agent/v1 HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(outbound()).startsWith("HTTP/1.1 101 Switching Protocols");

        assertThat(channel.pipeline().get("http-deadline")).isNull();
        assertThat(channel.pipeline().get("http-complete")).isNull();
        assertThat(channel.pipeline().get("http-handover")).isNull();
        elapse(IDLE.multipliedBy(3));
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void refusedAgentHandshake_426_closesTheConnection_insteadOfLeavingItWithoutDeadlines() {
        send("GET /agent/v1 HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n");

        assertThat(outbound()).startsWith("HTTP/1.1 426 Upgrade Required");
        assertThat(channel.isActive()).as("nothing else is expected on a refused upgrade").isFalse();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private void elapse(Duration d) {
        channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private String outbound() {
        var sb = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                sb.append(b.toString(StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(o);   // the WebSocket handler's close frame on close: no encoder here
        }
        return sb.toString();
    }
}
