package dev.writeback.protocol.codec;

import dev.writeback.protocol.Message;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.List;

/**
 * Turns each WebSocket binary message into one {@link Message} and back. A malformed frame raises
 * {@link dev.writeback.protocol.ProtocolException}, which the business handler turns into a close with a reason.
 */
public final class FrameCodec extends MessageToMessageCodec<BinaryWebSocketFrame, Message> {
    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        out.add(new BinaryWebSocketFrame(MessageCodec.encode(ctx.alloc(), msg)));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, BinaryWebSocketFrame frame, List<Object> out) {
        out.add(MessageCodec.decode(frame.content()));
    }
}
