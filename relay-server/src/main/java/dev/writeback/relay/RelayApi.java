package dev.writeback.relay;

import dev.writeback.relay.api.AgentGateway;
import dev.writeback.relay.api.ApiContext;
import dev.writeback.relay.api.ApiHandler;
import dev.writeback.relay.store.Store;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executor;

/** Builds the REST API handler from the relay's configuration. */
final class RelayApi {
    private RelayApi() {}

    static ApiHandler handler(RelayConfig config, Store store, AgentGateway gateway, Clock clock, Executor blocking,
                              String fingerprint, PrometheusMeterRegistry metrics, boolean servesMetrics,
                              dev.writeback.relay.hashsync.HashSyncReceiver hashSync) {
        return new ApiHandler(new ApiContext(store, gateway, clock, blocking, config.requestTimeout(), config.maxRequestTimeout(),
                Store.DEFAULT_REGISTRATION_TTL, fingerprint, metrics, config.reconnectGrace(), new SecureRandom(),
                hashSync),
                servesMetrics);
    }

    static PrometheusMeterRegistry metrics() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
