package dev.writeback.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates HTTP requests of at most {@code maxContentLength} body bytes, and answers a larger one the way the
 * REST API answers everything: {@code 413} with a JSON body naming the field, then closes the connection (the
 * rest of the body is never read).
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private static final Logger logger = LoggerFactory.getLogger(BoundedAggregator.class);

    private final int maxContentLength;

    BoundedAggregator(int maxContentLength) {
        super(maxContentLength);
        this.maxContentLength = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        long declared = HttpUtil.getContentLength(oversized, -1L);
        logger.info("API-413 request body too large ({} bytes declared), closing remote={}", declared, ctx.channel().remoteAddress());
        String shown = declared < 0 ? "more than " + maxContentLength : Long.toString(declared);
        byte[] body = ("{\"error\":\"" + dev.writeback.relay.api.ApiError.PAYLOAD_TOO_LARGE.name() + "\",\"field\":\"body\",\"message\":\"body length: " + shown
                + " bytes (expected: <= " + maxContentLength + ")\"}").getBytes(StandardCharsets.UTF_8);
        var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
