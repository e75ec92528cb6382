package dev.writeback.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.RequestId;
import dev.writeback.relay.net.ClientAddress;
import dev.writeback.relay.store.StoreException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request as the API handles it, detached from Netty's reference-counted message so it can move to the
 * blocking executor, and the single response to it. The body is copied out and Netty's buffer zeroed, because it
 * may hold passwords; {@link #wipeBody()} zeroes the copy.
 */
final class Exchange {
    static final String JSON = "application/json";

    private static final Logger logger = LoggerFactory.getLogger(Exchange.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ChannelHandlerContext ctx;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final HttpMethod method;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final String source;
    private final Instant receivedAt;
    private final RequestId requestId = RequestId.random();
    private final AtomicBoolean responded = new AtomicBoolean();
    private volatile Consumer<HttpResponseStatus> onResponse = status -> { };

    private Exchange(ChannelHandlerContext ctx, FullHttpRequest request, Instant receivedAt) {
        this.ctx = ctx;
        this.version = request.protocolVersion();
        // after a decoding failure the rest of the connection's bytes cannot be framed: answer, then close
        this.keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        this.method = request.method();
        var decoder = new QueryStringDecoder(request.uri());
        // routes match the path as sent: a percent-encoded segment (an anchor holding '/') stays one segment, and
        // is decoded by the route that takes it
        this.path = decoder.rawPath();
        this.query = decoder.parameters();
        this.headers = request.headers().copy();
        this.body = copyAndZero(request.content());
        this.source = ClientAddress.of(ctx.channel());
        this.receivedAt = receivedAt;
    }

    /** Snapshots {@code request}; call on the event loop before the request is released. */
    static Exchange of(ChannelHandlerContext ctx, FullHttpRequest request, Instant receivedAt) {
        return new Exchange(ctx, request, receivedAt);
    }

    HttpMethod method() {
        return method;
    }

    String path() {
        return path;
    }

    /** The single value of a query parameter, or null. */
    String queryParameter(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.invalid(name, name + ": given " + values.size() + " times (expected: once)");
        }
        return values.get(0);
    }

    String header(CharSequence name) {
        return headers.get(name);
    }

    /** The request body; do not keep it, it may hold passwords. */
    byte[] body() {
        return body;
    }

    /** The client's IP address: the TCP peer, or the client a trusted proxy named (see {@link ClientAddress}). */
    String source() {
        return source;
    }

    Instant receivedAt() {
        return receivedAt;
    }

    /** The id of this exchange, returned as {@code X-Request-Id} and used as the operation's request id. */
    RequestId requestId() {
        return requestId;
    }

    /** Sets what runs once the response status is known (metrics). */
    void onResponse(Consumer<HttpResponseStatus> listener) {
        this.onResponse = listener;
    }

    void wipeBody() {
        Arrays.fill(body, (byte) 0);
    }

    /** Sends a JSON response; later calls are ignored, so every exchange is answered at most once. */
    void respond(HttpResponseStatus status, ObjectNode json) {
        respond(status, json, Map.of());
    }

    void respond(HttpResponseStatus status, ObjectNode json, Map<String, String> extraHeaders) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response: not serialisable (expected: a JSON tree)", e);
        }
        respond(status, bytes, JSON, extraHeaders);
    }

    /**
     * Answers a failure: an {@link ApiException} as its status and {@code {error, field, message}}; an unavailable
     * store as 503; anything else as 500 {@code {error: INTERNAL_ERROR, requestId}}, logged once at WARN.
     */
    void fail(Throwable failure) {
        if (failure instanceof ApiException e) {
            ObjectNode json = json().put("error", e.error().name());
            if (e.field() != null) {
                json.put("field", e.field());
            }
            respond(e.status(), json.put("message", e.getMessage()), e.headers());
        } else if (failure instanceof StoreException e && e.kind() == StoreException.Kind.UNAVAILABLE) {
            logger.warn("API-503 store unavailable {} {} requestId={}", method, path, requestId, e);
            respond(ApiError.STORE_UNAVAILABLE.status(), json().put("error", ApiError.STORE_UNAVAILABLE.name())
                    .put("message", "store: unavailable (expected: try again later)")
                    .put("requestId", requestId.toString()));
        } else {
            logger.warn("API-500 unexpected error {} {} requestId={}", method, path, requestId, failure);
            respond(ApiError.INTERNAL_ERROR.status(), json().put("error", ApiError.INTERNAL_ERROR.name())
                    .put("message", "unexpected error (expected: none; quote the requestId to the operator)")
                    .put("requestId", requestId.toString()));
        }
    }

    /** A new, empty JSON object for a response. */
    static ObjectNode json() {
        return MAPPER.createObjectNode();
    }

    /** Sends a plain text response. */
    void respondText(HttpResponseStatus status, String text, String contentType) {
        respond(status, text.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
    }

    private void respond(HttpResponseStatus status, byte[] bytes, String contentType, Map<String, String> extra) {
        if (!responded.compareAndSet(false, true)) {
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(bytes));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Request-Id", requestId.toString());
        extra.forEach(h::set);
        onResponse.accept(status);
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static byte[] copyAndZero(ByteBuf content) {
        byte[] copy = ByteBufUtil.getBytes(content);
        if (!content.isReadOnly()) {
            content.setZero(content.readerIndex(), content.readableBytes());
        }
        return copy;
    }
}
