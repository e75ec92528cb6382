package dev.writeback.protocol.ops;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A small plain-HTTP listener for scrapers and probes, meant for a loopback or admin address: {@code GET /metrics}
 * (Prometheus text), {@code GET /healthz} (the process answers) and {@code GET /readyz} (200 only while
 * {@code ready} says so). Anything else is 404, any other method 405. One daemon thread serves it.
 */
public final class MetricsListener implements AutoCloseable {
    /** Content type of the Prometheus text format. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsListener(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address:port} (0 = ephemeral) and starts serving. The bind error names the address, port and
     * the configuration key ({@code key}) that chose them.
     */
    public static MetricsListener start(String key, String address, int port, Supplier<String> scrape, BooleanSupplier ready)
            throws IOException {
        requireNonNull(scrape, "scrape");
        requireNonNull(ready, "ready");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (BindException e) {
            throw new IOException(key + ": " + address + ":" + port + " already in use or not local (expected: a free"
                    + " port on an address of this host)", e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, scrape, ready);
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            var t = new Thread(r, "metrics-listener");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsListener(server, executor);
    }

    private static void serve(HttpExchange exchange, Supplier<String> scrape, BooleanSupplier ready) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
            respond(exchange, 404, "application/json", "{\"status\":\"NOT_FOUND\",\"message\":\"path: " + path.replaceAll("[^\\w/.-]", "?")
                    + " (expected: /metrics, /healthz or /readyz)\"}");
            return;
        }
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "application/json", "{\"status\":\"METHOD_NOT_ALLOWED\"}");
            return;
        }
        switch (path) {
            case "/metrics" -> respond(exchange, 200, PROMETHEUS_TEXT, scrape.get());
            case "/healthz" -> respond(exchange, 200, "application/json", "{\"status\":\"UP\"}");
            default -> {
                boolean up = ready.getAsBoolean();
                respond(exchange, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
