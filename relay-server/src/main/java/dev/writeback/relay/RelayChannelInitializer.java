package dev.writeback.relay;

import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.FrameCodec;
import dev.writeback.relay.agent.AgentSessionHandler;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.agent.SessionContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** One TLS port: the REST API over HTTP/1.1, and the agent WebSocket at {@code /agent/v1}. */
final class RelayChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final SslContext tls;
    private final SessionContext sessions;
    private final KeyRotation rotation;
    private final ChannelHandler api;

    RelayChannelInitializer(SslContext tls, SessionContext sessions, KeyRotation rotation, ChannelHandler api) {
        this.tls = tls;
        this.sessions = sessions;
        this.rotation = rotation;
        this.api = api;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        var config = sessions.config();
        ChannelPipeline p = ch.pipeline();
        p.addLast("tls", tls.newHandler(ch.alloc()));                                // TLS before anything else
        p.addLast("idle", new IdleStateHandler(config.agentSilenceLimit().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(4096, 8192, 8192));                    // bounded request line and headers
        p.addLast("aggregate", new HttpObjectAggregator(ProtocolVersion.MAX_FRAME_BYTES)); // bounded bodies
        p.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(ProtocolVersion.AGENT_PATH)
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(ProtocolVersion.MAX_FRAME_BYTES)   // 64 KiB, rejected early
                        .allowExtensions(false)
                        .build())
                .build()));
        p.addLast("frames", new FrameCodec());                                       // binary message <-> Message
        p.addLast("agent", new AgentSessionHandler(sessions, rotation));            // agents
        p.addLast("api", api);                                                       // everything else: REST API
    }
}
