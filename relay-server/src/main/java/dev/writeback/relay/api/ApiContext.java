package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.store.Store;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Everything the {@link ApiHandler} needs, passed in once.
 *
 * @param store the relay's state; called only on {@code blocking}
 * @param gateway delivers operations to agents and reports live sessions
 * @param clock the time source for deadlines, durations, audit times and rate limiting
 * @param blocking runs store calls and other blocking work, never a Netty event loop
 * @param requestTimeout deadline of an operation when the caller names none (DESIGN §3: 15 s)
 * @param maxRequestTimeout the longest deadline a caller may ask for with {@code timeoutSeconds} (60 s)
 * @param registrationTokenTtl how long a registration token stays valid (1 h)
 * @param relayFingerprint the relay certificate's {@code SHA256:...} fingerprint, returned to registering agents;
 *     empty when unknown
 * @param metrics the registry the API's meters live in and {@code GET /metrics} scrapes
 * @param reconnectGrace how long a disconnected agent counts as reconnecting rather than offline in the status
 * @param random randomness for package keys and their wrapping
 * @param hashSync password hash sync (status, settings, password check), or null where the relay has none
 */
public record ApiContext(Store store, AgentGateway gateway, Clock clock, Executor blocking, Duration requestTimeout,
        Duration maxRequestTimeout, Duration registrationTokenTtl, String relayFingerprint,
        PrometheusMeterRegistry metrics, Duration reconnectGrace, SecureRandom random,
        dev.writeback.relay.hashsync.HashSyncReceiver hashSync) {
    public ApiContext {
        requireNonNull(store, "store");
        requireNonNull(gateway, "gateway");
        requireNonNull(clock, "clock");
        requireNonNull(blocking, "blocking");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(maxRequestTimeout, "maxRequestTimeout");
        requirePositive(registrationTokenTtl, "registrationTokenTtl");
        requireNonNull(relayFingerprint, "relayFingerprint");
        requireNonNull(metrics, "metrics");
        requireNonNull(reconnectGrace, "reconnectGrace");
        requireNonNull(random, "random");
        if (requestTimeout.compareTo(maxRequestTimeout) > 0) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: <= maxRequestTimeout "
                    + maxRequestTimeout + ")");
        }
        if (reconnectGrace.isNegative()) {
            throw new IllegalArgumentException("reconnectGrace: " + reconnectGrace + " (expected: >= 0)");
        }
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
