package dev.writeback.relay.api;

import dev.writeback.protocol.testing.FakeClock;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.Tenant;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The API under test: a real SQLite store in a temporary directory, a fake gateway, a test clock, the handler in
 * an {@link EmbeddedChannel} fed whole requests, blocking work run inline, and every log event captured.
 */
final class ApiFixture implements AutoCloseable {
    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    final Path dataDir;
    final FakeClock clock = new FakeClock(START);
    final FakeGateway gateway = new FakeGateway();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Store store;
    final dev.writeback.relay.hashsync.HashSyncReceiver hashSync;
    final Tenant tenant;
    final String token;
    final EmbeddedChannel channel;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ObjectMapper mapper = new ObjectMapper();

    /** One answer: status, headers and the parsed JSON body (null when not JSON). */
    record Answer(int status, HttpHeaders headers, String text, JsonNode json) {
        String error() {
            return json.path("error").asText();
        }
    }

    ApiFixture(Path dataDir) {
        this.dataDir = dataDir;
        logs.start();
        rootLogger.addAppender(logs);
        MasterKey masterKey = MasterKey.loadOrCreate(dataDir, Map.of());
        this.store = Store.openSqlite(dataDir, masterKey, clock);
        // small Argon2id parameters keep REST tests fast; the production ones are measured in StoredHashTest
        this.hashSync = new dev.writeback.relay.hashsync.HashSyncReceiver(
                new dev.writeback.relay.hashsync.StoredHash(masterKey, new SecureRandom(), 64, 1), store.hashSync(), clock);
        this.tenant = store.createTenant("acme");
        this.token = store.createApiToken(tenant.id(), "portal").plaintext();
        var context = new ApiContext(store, gateway, clock, Runnable::run, Duration.ofSeconds(15),
                Duration.ofSeconds(60), Duration.ofHours(1), "SHA256:relay-fingerprint", registry,
                Duration.ofMinutes(2), new SecureRandom(), hashSync);
        this.channel = new EmbeddedChannel(new ApiHandler(context));
    }

    Answer get(String uri) {
        return send(HttpMethod.GET, uri, null, token);
    }

    Answer post(String uri, String json) {
        return send(HttpMethod.POST, uri, json, token);
    }

    Answer send(HttpMethod method, String uri, String json, String bearer) {
        FullHttpRequest request = request(method, uri, json, bearer);
        return exchange(request);
    }

    static FullHttpRequest request(HttpMethod method, String uri, String json, String bearer) {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(body));
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (json != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        if (bearer != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        return request;
    }

    /** Feeds one request and returns the answer, or null when none was written yet. */
    Answer exchange(FullHttpRequest request) {
        channel.writeInbound(request);
        channel.runPendingTasks();
        return read();
    }

    /** The next answer written, or null. */
    Answer read() {
        FullHttpResponse response = channel.readOutbound();
        if (response == null) {
            return null;
        }
        try {
            String text = response.content().toString(StandardCharsets.UTF_8);
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            JsonNode json = type.startsWith("application/json") ? mapper.readTree(text) : null;
            return new Answer(response.status().code(), response.headers(), text, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            response.release();
        }
    }

    List<AuditRecord> audit() {
        return store.audit(tenant.id(), START.minus(Duration.ofDays(1)), 1000);
    }

    /** Every captured log line, formatted, with its MDC and any exception. */
    String logText() {
        return logs.list.stream()
                .map(e -> e.getFormattedMessage() + " " + e.getMDCPropertyMap()
                        + (e.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
    }

    /** The bytes of relay.db and its -wal and -shm files. */
    byte[] databaseBytes() {
        var out = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("relay.db")).toList()) {
                out.write(Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        store.close();
        rootLogger.detachAppender(logs);
    }
}
