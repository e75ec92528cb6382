package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Too many pipelined requests on one connection: one log line, no stack trace, and the connection closes. */
class PipelinedRequestsTest {
    @TempDir
    Path dir;

    private ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dir);
        api.channel.pipeline().addFirst(new HttpObjectAggregator(65536));
        api.channel.pipeline().addFirst(new HttpServerCodec(ApiHandler.MAX_REQUEST_LINE_BYTES, ApiHandler.MAX_HEADER_BYTES, 8192));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void over128PipelinedRequests_logOneLineWithoutAStackTrace() {
        api.gateway.answer = s -> new CompletableFuture<>();   // the agent never answers: every request stays open
        String body = "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"Correct-Horse-9\"}";
        String one = "POST /api/v1/writeback/password-reset HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer " + api.token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        api.logs.list.clear();

        api.channel.writeInbound(Unpooled.copiedBuffer(one.repeat(200), StandardCharsets.US_ASCII));
        api.channel.runPendingTasks();

        assertThat(api.channel.isActive()).isFalse();
        assertThat(api.logs.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        assertThat(api.logs.list).filteredOn(e -> e.getFormattedMessage().contains("pipelined")).hasSize(1);
    }
}
