package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile HTTP clients against a live relay over TLS: malformed, oversized and wrongly typed bodies, bad content
 * types, huge headers, guessed tokens, many concurrent requests, and slow clients that never finish a request or
 * a TLS handshake. Each gets a JSON 4xx naming what is wrong (or a bounded close), and a healthy tenant's resets
 * keep succeeding throughout.
 */
class HostileRestIT {
    private static final String RESET = "/api/v1/writeback/password-reset";
    private static final String JSON = "application/json";
    private static final String SECRET = "Secret-Pw-1!";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;

    static HostileFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new HostileFixture(dir);
        fx.healthyResetSucceeds("before the attacks");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx == null) {
            return;
        }
        try {
            fx.healthyResetSucceeds("after the attacks");
            fx.healthyPasswordBinds();
            String logs = fx.logs.text();
            assertThat(logs).doesNotContain(SECRET);
            for (String pw : fx.passwords) {
                assertThat(logs).as("no password in the logs").doesNotContain(pw);
            }
        } finally {
            fx.close();
        }
    }

    @Test
    void malformedBodies_areRefused400_namingTheField() throws Exception {
        String ok = "\"anchor\":\"upn:ada@corp.example\"";
        List<String[]> cases = List.of(
                new String[] {"{", "body"},
                new String[] {"[]", "body"},
                new String[] {"", "body"},
                new String[] {"{\"anchor\":5,\"newPassword\":\"" + SECRET + "\"}", "anchor"},
                new String[] {"{\"anchor\":[\"upn:ada@corp.example\"],\"newPassword\":\"" + SECRET + "\"}", "anchor"},
                new String[] {"{\"anchor\":\"nonsense\",\"newPassword\":\"" + SECRET + "\"}", "anchor"},
                new String[] {"{" + ok + ",\"newPassword\":12345678}", "newPassword"},
                new String[] {"{" + ok + ",\"newPassword\":{\"value\":\"" + SECRET + "\"}}", "newPassword"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + "x".repeat(300) + "\"}", "newPassword"},
                new String[] {"{" + ok + "}", "newPassword"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + SECRET + "\",\"unlock\":\"yes\"}", "unlock"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + SECRET + "\",\"timeoutSeconds\":1e9}", "timeoutSeconds"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + SECRET + "\",\"timeoutSeconds\":\"10\"}", "timeoutSeconds"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + SECRET + "\",\"isAdmin\":true}", "isAdmin"},
                new String[] {"{" + ok + "," + ok + ",\"newPassword\":\"" + SECRET + "\"}", "anchor"},
                new String[] {"{" + ok + ",\"newPassword\":\"" + SECRET + "\"} {}", "body"});
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            for (int i = 0; i < cases.size(); i++) {
                if (i == cases.size() / 2) {
                    fx.healthyResetSucceeds("between malformed bodies");
                }
                byte[] body = cases.get(i)[0].getBytes(StandardCharsets.UTF_8);
                var r = http.send(RawHttps.request("POST", RESET, fx.attackerToken, JSON, body), body);
                assertRejected(r, 400, "INVALID_REQUEST", cases.get(i)[1], cases.get(i)[0]);
            }
            byte[] notUtf8 = {'{', '"', 'a', 'n', 'c', 'h', 'o', 'r', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
            assertRejected(http.send(RawHttps.request("POST", RESET, fx.attackerToken, JSON, notUtf8), notUtf8), 400,
                    "INVALID_REQUEST", "body", "invalid UTF-8");
        }
    }

    @Test
    void wrongContentTypes_areRefused415_namingContentType() throws Exception {
        byte[] body = ("{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"" + SECRET + "\"}").getBytes(StandardCharsets.UTF_8);
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded",
                    "application/json; charset=iso-8859-1", "multipart/form-data; boundary=x", null}) {
                var r = http.send(RawHttps.request("POST", RESET, fx.attackerToken, type, body), body);
                assertRejected(r, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", String.valueOf(type));
            }
        }
    }

    @Test
    void oversizedBody_isRefused413_namingTheBody_andTheConnectionCloses() throws Exception {
        byte[] body = new byte[70_000];
        java.util.Arrays.fill(body, (byte) 'a');
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            // The relay answers from the declared length and closes without reading the body: writing all of it
            // would race that close (a broken pipe), so only its first kilobyte is sent before reading the answer.
            http.write(RawHttps.request("POST", RESET, fx.attackerToken, JSON, body).getBytes(StandardCharsets.ISO_8859_1));
            http.write(java.util.Arrays.copyOf(body, 1024));
            var r = http.read();
            assertRejected(r, 413, "PAYLOAD_TOO_LARGE", "body", "70000 bytes");
            assertThat(json(r).path("message").asText()).contains("70000").contains("65536");
            assertThat(http.closedByPeer()).isTrue();
        }
    }

    @Test
    void hugeHeaders_areRefused431_andTheConnectionCloses() throws Exception {
        var pad = new ArrayList<String>();
        for (int i = 0; i < 20; i++) {
            pad.add("X-Pad-" + i + ": " + "a".repeat(1000));
        }
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            var r = http.send(RawHttps.request("GET", "/api/v1/writeback/status", fx.attackerToken, null, new byte[0],
                    pad.toArray(String[]::new)), new byte[0]);
            assertRejected(r, 431, "HEADERS_TOO_LARGE", "headers", "20 KB of headers");
            assertThat(http.closedByPeer()).isTrue();
        }
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            var r = http.send(RawHttps.request("GET", "/api/v1/" + "a".repeat(5000), fx.attackerToken, null, new byte[0]),
                    new byte[0]);
            assertRejected(r, 414, "URI_TOO_LONG", "uri", "5000-byte path");
            assertThat(http.closedByPeer()).isTrue();
        }
    }

    @Test
    void guessedTokens_areRefused401_thenTheSourceIs429_whileOthersAreServed() throws Exception {
        try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource())) {
            for (int i = 0; i < 10; i++) {
                var r = http.send(RawHttps.request("GET", "/api/v1/writeback/status", "wb_guess_" + i, null, new byte[0]), new byte[0]);
                assertThat(r.status()).as(r.body()).isEqualTo(401);
            }
            var r = http.send(RawHttps.request("GET", "/api/v1/writeback/status", "wb_guess_x", null, new byte[0]), new byte[0]);
            assertThat(r.status()).as(r.body()).isEqualTo(429);
            assertThat(r.headers()).containsKey("retry-after");
        }
        fx.healthyResetSucceeds("after a token-guessing source was limited");
    }

    @Test
    void manyConcurrentRequests_areAllAnswered_andTheHealthyTenantIsServed() throws Exception {
        int clients = 24;
        int perClient = 10;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        var answered = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String source = fx.freshSource();
                futures.add(pool.submit(() -> {
                    try (var http = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), source)) {
                        for (int i = 0; i < perClient; i++) {
                            concurrentRequest(http, i);
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            fx.healthyResetSucceeds("during many concurrent requests");
            fx.healthyResetSucceeds("during many concurrent requests, again");
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answered).hasValue(clients * perClient);
    }

    private static void concurrentRequest(RawHttps http, int i) throws IOException {
        switch (i % 3) {
            case 0 -> {
                byte[] body = "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":true}".getBytes(StandardCharsets.UTF_8);
                assertRejected(http.send(RawHttps.request("POST", RESET, fx.attackerToken, JSON, body), body), 400,
                        "INVALID_REQUEST", "newPassword", "a boolean password");
            }
            case 1 -> assertThat(http.send(RawHttps.request("GET", "/healthz", null, null, new byte[0]), new byte[0]).status())
                    .isEqualTo(200);
            default -> assertThat(http.send(RawHttps.request("GET", "/api/v1/writeback/status", fx.attackerToken, null,
                    new byte[0]), new byte[0]).status()).isEqualTo(200);
        }
    }

    @Test
    void slowClients_areCutOffAfterTenSeconds_andTheTlsHandshakeIsBounded() throws Exception {
        ScheduledExecutorService trickle = Executors.newScheduledThreadPool(2);
        try (var headers = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource());
             var body = new RawHttps(fx.relay.port(), fx.relay.fingerprint(), fx.freshSource());
             var silent = new Socket(InetAddress.getLoopbackAddress(), fx.relay.port(), InetAddress.getByName(fx.freshSource()), 0)) {
            silent.setSoTimeout(30_000);
            long silentSince = System.nanoTime();
            var silentClosed = CompletableFuture.supplyAsync(() -> untilClosed(silent, silentSince));

            byte[] slowHead = ("POST " + RESET + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-Slow: " + "z".repeat(100) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            var headersAnswer = trickled(trickle, headers, slowHead);

            body.write(RawHttps.request("POST", RESET, fx.attackerToken, JSON, new byte[200]).getBytes(StandardCharsets.US_ASCII));
            var bodyAnswer = trickled(trickle, body, "{\"anchor\":\"upn:ada@corp.example\"".repeat(10).getBytes(StandardCharsets.US_ASCII));

            fx.healthyResetSucceeds("while slow clients trickle");

            for (var answer : List.of(headersAnswer, bodyAnswer)) {
                Timed t = answer.get(30, TimeUnit.SECONDS);
                assertRejected(t.response(), 408, "REQUEST_TIMEOUT", "request", "a trickled request");
                assertThat(t.elapsed()).isBetween(Duration.ofMillis(9_500), Duration.ofSeconds(13));
            }
            assertThat(headers.closedByPeer()).isTrue();
            assertThat(body.closedByPeer()).isTrue();
            assertThat(silentClosed.get(30, TimeUnit.SECONDS)).as("a client that never starts TLS is closed after 10 s")
                    .isBetween(Duration.ofMillis(9_500), Duration.ofSeconds(13));
            assertThat(HostileInputIT.count(fx.logs.text(), "API-408 request not complete within 10 s")).isEqualTo(2);
        } finally {
            trickle.shutdownNow();
        }
        fx.healthyResetSucceeds("after the slow clients");
    }

    private record Timed(RawHttps.Response response, Duration elapsed) {}

    /** Writes {@code bytes} one every 250 ms (at most 120) and reads the answer, timed from the first byte. */
    private static CompletableFuture<Timed> trickled(ScheduledExecutorService scheduler, RawHttps http, byte[] bytes) {
        long started = System.nanoTime();
        var next = new AtomicInteger();
        ScheduledFuture<?> writer = scheduler.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (i < Math.min(bytes.length, 120)) {
                try {
                    http.write(new byte[] {bytes[i]});
                } catch (IOException e) {
                    next.set(Integer.MAX_VALUE / 2);   // the relay closed the connection: stop writing
                }
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new Timed(http.read(), Duration.ofNanos(System.nanoTime() - started));
            } catch (IOException e) {
                throw new AssertionError("no answer to a trickled request: " + e, e);
            } finally {
                writer.cancel(false);
            }
        });
    }

    private static Duration untilClosed(Socket socket, long since) {
        try (InputStream in = socket.getInputStream()) {
            while (in.read() != -1) {
                // a TLS alert may come first; the end of the stream is what counts
            }
        } catch (IOException e) {
            // a reset is a close too
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static void assertRejected(RawHttps.Response r, int status, String error, String field, String what) {
        assertThat(r.status()).as("%s: %s", what, r.body()).isEqualTo(status);
        assertThat(r.headers().get("content-type")).as(what).startsWith(JSON);
        JsonNode json = json(r);
        assertThat(json.path("error").asText()).as("%s: %s", what, r.body()).isEqualTo(error);
        assertThat(json.path("field").asText()).as("%s: %s", what, r.body()).isEqualTo(field);
        assertThat(json.path("message").asText()).as(what).isNotBlank().doesNotContain(SECRET);
    }

    private static JsonNode json(RawHttps.Response r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }
}
