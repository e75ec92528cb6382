package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiHandlerTest {
    private static final String RESET = "/api/v1/writeback/password-reset";

    @TempDir
    Path dataDir;

    private ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void healthz_answersUpWithoutToken() {
        var answer = api.send(HttpMethod.GET, "/healthz", null, null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("status").asText()).isEqualTo("UP");
        assertThat(answer.headers().get("X-Request-Id")).isNotBlank();
    }

    @Test
    void readyz_upWhileStoreAnswers_downAfterItCloses() {
        assertThat(api.send(HttpMethod.GET, "/readyz", null, null).status()).isEqualTo(200);

        api.store.close();
        var answer = api.send(HttpMethod.GET, "/readyz", null, null);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void metrics_isPrometheusTextWithoutToken() {
        api.send(HttpMethod.GET, "/healthz", null, null);

        var answer = api.send(HttpMethod.GET, "/metrics", null, null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain; version=0.0.4");
        assertThat(answer.text()).contains("writeback_api_responses_total{route=\"/healthz\",status=\"200\"} 1.0");
    }

    @Test
    void unknownPath_is404Json() {
        var answer = api.get("/api/v1/nothing");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.error()).isEqualTo("NOT_FOUND");
        assertThat(answer.json().get("message").asText()).isNotBlank();
    }

    @Test
    void wrongMethod_is405WithAllow() {
        var answer = api.get(RESET);

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.error()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(answer.headers().get("Allow")).isEqualTo("POST");
        assertThat(api.send(HttpMethod.PUT, "/api/v1/agents/0f8fad5b-d9cb-469f-a165-70867728950e", null, api.token)
                .headers().get("Allow")).isEqualTo("DELETE");
    }

    @Test
    void wrongContentType_is415() {
        var request = ApiFixture.request(HttpMethod.POST, RESET, "{}", api.token);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        var missing = ApiFixture.request(HttpMethod.POST, RESET, "{}", api.token);
        missing.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        var latin1 = ApiFixture.request(HttpMethod.POST, RESET, "{}", api.token);
        latin1.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=iso-8859-1");

        assertThat(api.exchange(request).status()).isEqualTo(415);
        assertThat(api.exchange(missing).error()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.exchange(latin1).status()).isEqualTo(415);
        assertThat(api.gateway.submitted).isEmpty();
    }

    @Test
    void jsonWithCharset_isAccepted() {
        var request = ApiFixture.request(HttpMethod.POST, RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\"}", api.token);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "Application/JSON; charset=UTF-8");

        assertThat(api.exchange(request).status()).isEqualTo(200);
    }

    @Test
    void oversizedBody_is413() {
        String big = "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"pad\":\"" + "a".repeat(ApiHandler.MAX_BODY_BYTES) + "\"}";

        var answer = api.post(RESET, big);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.json().get("field").asText()).isEqualTo("body");
    }

    @Test
    void requestBuffer_isZeroedAfterReading() {
        var request = ApiFixture.request(HttpMethod.POST, RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"s3cret\"}", api.token);
        ByteBuf content = request.content().retain();
        try {
            api.exchange(request);
            for (int i = 0; i < content.writerIndex(); i++) {
                assertThat(content.getByte(i)).isZero();
            }
        } finally {
            content.release();
        }
    }

    @Test
    void keepAlive_isHonoured() {
        var keep = api.get("/healthz");
        assertThat(api.channel.isOpen()).isTrue();
        assertThat(keep.headers().get(HttpHeaderNames.CONNECTION)).isNull();

        var request = ApiFixture.request(HttpMethod.GET, "/healthz", null, null);
        HttpUtil.setKeepAlive(request, false);
        var close = api.exchange(request);

        assertThat(close.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(api.channel.isOpen()).isFalse();
    }

    @Test
    void http10KeepAlive_isAnswered() {
        var request = ApiFixture.request(HttpMethod.GET, "/healthz", null, null);
        request.setProtocolVersion(HttpVersion.HTTP_1_0);
        HttpUtil.setKeepAlive(request, true);

        var answer = api.exchange(request);

        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("keep-alive");
        assertThat(api.channel.isOpen()).isTrue();
    }

    @Test
    void storeFailure_is503WithoutBody() {
        api.store.close();

        var answer = api.get("/api/v1/writeback/status");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.error()).isEqualTo("STORE_UNAVAILABLE");
        assertThat(answer.json().get("requestId").asText()).isEqualTo(answer.headers().get("X-Request-Id"));
    }

    @Test
    void everyAnswer_carriesRequestIdAndNoStore() {
        for (var answer : new ApiFixture.Answer[] {api.get("/nothing"), api.get("/healthz"), api.get(RESET),
                api.send(HttpMethod.GET, "/api/v1/agents", null, null)}) {
            assertThat(answer.headers().get("X-Request-Id")).hasSize(36);
            assertThat(answer.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        }
    }
}
