package dev.writeback.relay.agent;

import dev.writeback.protocol.codec.DecoderFailures;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * Hands a WebSocket protocol violation (an oversized or corrupt frame) straight to the {@link AgentSessionHandler},
 * past Netty's WebSocket handler, which would close the connection at once. Closing at once while the peer is
 * still sending resets the connection, and the peer never reads the ERROR and the close reason. Goes right before
 * the WebSocket handler; everything else passes through.
 */
@ChannelHandler.Sharable
public final class WebSocketViolations extends ChannelInboundHandlerAdapter {
    /** The one instance; it holds no state. */
    public static final WebSocketViolations INSTANCE = new WebSocketViolations();

    private WebSocketViolations() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Throwable root = DecoderFailures.unwrap(cause);
        ChannelHandlerContext agent = ctx.pipeline().context(AgentSessionHandler.class);
        if (root instanceof CorruptedWebSocketFrameException && agent != null) {
            ((AgentSessionHandler) agent.handler()).exceptionCaught(agent, root);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
