package dev.writeback.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.protocol.tls.TlsPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTPS client for the relay's REST API that pins the relay's certificate like an operator would. */
public final class RelayClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String token;

    public RelayClient(int port, String fingerprint, String token) {
        this.http = HttpClient.newBuilder().sslContext(TlsPolicy.pinnedJdk(fingerprint)).connectTimeout(Duration.ofSeconds(5)).build();
        this.base = URI.create("https://localhost:" + port);
        this.token = token;
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).PUT(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private Response send(HttpRequest.Builder builder) {
        builder.timeout(Duration.ofSeconds(70));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            boolean json = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
            // a text answer (/metrics, a portal page) keeps an empty object: its text is in text()
            JsonNode body = r.body().isEmpty() || !json ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Response(r.statusCode(), body, r.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One REST answer: status, parsed body and body text. */
    public record Response(int status, JsonNode json, String text) {
        /** The {@code result} field. */
        public String result() {
            return json.path("result").asText();
        }

        /** The {@code reason} field. */
        public String reason() {
            return json.path("reason").asText();
        }

        /** The {@code requestId} field. */
        public String requestId() {
            return json.path("requestId").asText();
        }
    }
}
