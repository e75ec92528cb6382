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
    /** Default deadline of an operation. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** Default longest deadline a caller may ask for. */
    public static final Duration DEFAULT_MAX_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Default lifetime of a registration token. */
    public static final Duration DEFAULT_REGISTRATION_TOKEN_TTL = Duration.ofHours(1);
    /** Default time a disconnected agent is shown as reconnecting. */
    public static final Duration DEFAULT_OFFLINE_GRACE = Duration.ofMinutes(2);

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

    /** A context with the system UTC clock, a new {@link SecureRandom} and the default durations. */
    public static ApiContext of(Store store, AgentGateway gateway, Executor blocking, String relayFingerprint,
            PrometheusMeterRegistry metrics) {
        return new ApiContext(store, gateway, Clock.systemUTC(), blocking, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_REQUEST_TIMEOUT, DEFAULT_REGISTRATION_TOKEN_TTL, relayFingerprint, metrics,
                DEFAULT_OFFLINE_GRACE, new SecureRandom(), null);
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
