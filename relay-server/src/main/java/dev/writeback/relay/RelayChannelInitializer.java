package dev.writeback.relay;

import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.FrameCodec;
import dev.writeback.relay.agent.AgentSessionHandler;
import dev.writeback.relay.agent.KeyRotation;
import dev.writeback.relay.agent.SessionContext;
import dev.writeback.relay.agent.WebSocketViolations;
import dev.writeback.relay.api.ApiHandler;
import dev.writeback.relay.net.FailureLimiter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** One TLS port: the REST API over HTTP/1.1, and the agent WebSocket at {@code /agent/v1}. */
final class RelayChannelInitializer extends ChannelInitializer<Channel> {
    /** How long a client may take to complete the TLS handshake. */
    static final Duration TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<SslContext> tls;   // the current certificate: renewals apply to new connections
    private final SessionContext sessions;
    private final KeyRotation rotation;
    private final ChannelHandler api;
    private final ChannelHandler portal;
    private final FailureLimiter authFailures;   // shared by all connections: failed agent AUTH per source address
    private final ConnectionLimits connections;
    private final ChannelHandler forwardedFor;

    RelayChannelInitializer(Supplier<SslContext> tls, SessionContext sessions, KeyRotation rotation, ChannelHandler api,
                            ChannelHandler portal, ConnectionLimits connections) {
        this.tls = tls;
        this.sessions = sessions;
        this.rotation = rotation;
        this.api = api;
        this.portal = portal;
        this.connections = connections;
        this.forwardedFor = ProxiedClient.forwardedFor(sessions.config().trustedProxies());
        this.authFailures = new FailureLimiter(sessions.clock(), AgentSessionHandler.AUTH_FAILURE_BURST,
                AgentSessionHandler.AUTH_FAILURE_WINDOW);
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!connections.admit(ch)) {
            ch.close();   // over a connection cap: not even a TLS handshake (RLY-060 counts it)
            return;
        }
        var config = sessions.config();
        var deadlines = new HttpDeadlines(HttpDeadlines.REQUEST_TIMEOUT, HttpDeadlines.IDLE_TIMEOUT, config.authTimeout());
        SslHandler ssl = tls.get().newHandler(ch.alloc());
        ssl.setHandshakeTimeoutMillis(TLS_HANDSHAKE_TIMEOUT.toMillis());
        ChannelPipeline p = ch.pipeline();
        ProxiedClient.addProxyProtocol(p, config.trustedProxies());                  // a trusted peer's PROXY header, if configured
        p.addLast("tls", ssl);                                                       // TLS before anything else
        p.addLast("http-deadline", deadlines.firstByte());                           // a request's first byte starts its clock
        p.addLast("idle", new IdleStateHandler(config.agentSilenceLimit().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(ApiHandler.MAX_REQUEST_LINE_BYTES, ApiHandler.MAX_HEADER_BYTES, 8192));                    // bounded request line and headers
        p.addLast("http-complete", deadlines.lastByte());                            // ... and its last byte stops it
        p.addLast("aggregate", new BoundedAggregator(ProtocolVersion.MAX_FRAME_BYTES));   // bounded bodies, JSON 413
        p.addLast("client-address", forwardedFor);                                   // X-Forwarded-For, from trusted peers only
        p.addLast("ws-violations", WebSocketViolations.INSTANCE);                   // ERROR + reason before a bad frame's close
        p.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(ProtocolVersion.AGENT_PATH)
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(ProtocolVersion.MAX_FRAME_BYTES)   // 64 KiB, rejected early
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false)                          // the agent handler answers ERROR, then closes
                        .build())
                .build()));
        p.addLast("http-handover", deadlines.handshake());                           // WebSocket open: HTTP deadlines end
        p.addLast("frames", new FrameCodec());                                       // binary message <-> Message
        p.addLast("agent", new AgentSessionHandler(sessions, rotation, authFailures)); // agents
        p.addLast("portal", portal);                                                 // /sspr/...: the SSPR portal
        p.addLast("api", api);                                                       // everything else: REST API
    }
}
