package dev.writeback.agent;

import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.directory.DirectoryHealth;
import dev.writeback.agent.link.RelayLink;
import dev.writeback.protocol.ops.MetricsListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;

/**
 * The agent's own Prometheus endpoint ({@code metrics.listen}, off unless set; meant for 127.0.0.1): link up,
 * requests by result, in flight, key version, and each directory's health and latency on the server (DC) in use.
 * The directory rows are re-listed at each scrape from the last health check.
 */
final class AgentMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Directories directories;
    private final MultiGauge directoryUp;
    private final MultiGauge directoryLatency;

    private AgentMetrics(RelayLink link, AgentKeys keys, Directories directories) {
        this.directories = directories;
        Gauge.builder("writeback_agent_link_up", link, l -> l.connected() ? 1 : 0)
                .description("1 while a session with the relay is ready").register(registry);
        FunctionCounter.builder("writeback_agent_requests", link, l -> l.stats().succeeded())
                .description("Requests answered, by result").tag("result", "succeeded").register(registry);
        FunctionCounter.builder("writeback_agent_requests", link, l -> l.stats().rejected())
                .description("Requests answered, by result").tag("result", "rejected").register(registry);
        FunctionCounter.builder("writeback_agent_requests", link, l -> l.stats().failed())
                .description("Requests answered, by result").tag("result", "failed").register(registry);
        Gauge.builder("writeback_agent_requests_in_flight", link, l -> l.stats().inFlight())
                .description("Requests accepted and not yet answered").register(registry);
        FunctionCounter.builder("writeback_agent_hash_sync_batches", link, l -> l.stats().hashSyncBatches())
                .description("Hash sync batches sent to the relay (empty polls included)").register(registry);
        FunctionCounter.builder("writeback_agent_hash_sync_sent_bytes", link, l -> l.stats().hashSyncBytes())
                .description("Bytes of the HASH_SYNC frames sent (sealed bodies and frame headers)").register(registry);
        Gauge.builder("writeback_agent_key_version", keys, AgentKeys::currentVersion)
                .description("The agent's current key version").register(registry);
        directoryUp = MultiGauge.builder("writeback_agent_directory_up")
                .description("1 when the last health check reached the directory").register(registry);
        directoryLatency = MultiGauge.builder("writeback_agent_directory_latency_seconds")
                .description("Round trip of the last health check to the server in use").register(registry);
    }

    /** Starts the endpoint; {@code /readyz} is 200 while the link to the relay is up. */
    static MetricsListener serve(InetSocketAddress listen, RelayLink link, AgentKeys keys, Directories directories)
            throws IOException {
        var metrics = new AgentMetrics(link, keys, directories);
        return MetricsListener.start("metrics.listen", listen.getHostString(), listen.getPort(), metrics::scrape, link::connected);
    }

    private String scrape() {
        var up = new ArrayList<MultiGauge.Row<?>>();
        var latency = new ArrayList<MultiGauge.Row<?>>();
        for (DirectoryHealth h : directories.health()) {
            up.add(MultiGauge.Row.of(Tags.of("directory", h.name(), "type", h.type()), h.reachable() ? 1 : 0));
            if (h.reachable()) {
                latency.add(MultiGauge.Row.of(Tags.of("directory", h.name(), "server", h.server()), h.latencyMillis() / 1000.0));
            }
        }
        directoryUp.register(up, true);
        directoryLatency.register(latency, true);
        return registry.scrape();
    }
}
