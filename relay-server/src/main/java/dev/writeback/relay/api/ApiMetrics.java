package dev.writeback.relay.api;

import dev.writeback.protocol.ResultCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The API's meters. Prometheus names (Micrometer appends {@code _total} and {@code _seconds}):
 * <ul>
 *   <li>{@code writeback_api_operations_total{operation, result}}: password operations by result code</li>
 *   <li>{@code writeback_api_operation_duration_seconds{operation}}: receipt to answer, histogram</li>
 *   <li>{@code writeback_api_responses_total{route, status}}: every HTTP response, by route template</li>
 *   <li>{@code writeback_api_auth_failures_total{kind}}: refused API ({@code api}) or registration
 *       ({@code registration}) tokens</li>
 *   <li>{@code writeback_api_rate_limited_total}: requests refused with 429</li>
 *   <li>{@code writeback_api_agents_registered_total}: successful agent registrations</li>
 * </ul>
 */
final class ApiMetrics {
    private final MeterRegistry registry;

    ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void operation(String operation, ResultCode result, Duration duration) {
        Counter.builder("writeback.api.operations")
                .description("Password operations answered, by result code")
                .tag("operation", operation)
                .tag("result", result.name())
                .register(registry)
                .increment();
        Timer.builder("writeback.api.operation.duration")
                .description("Time from receiving a password operation to answering it")
                .tag("operation", operation)
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(65))
                .register(registry)
                .record(duration);
    }

    void response(String route, int status) {
        Counter.builder("writeback.api.responses")
                .description("HTTP responses of the API, by route template and status")
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
    }

    void authFailure(String kind) {
        Counter.builder("writeback.api.auth.failures")
                .description("Refused bearer or registration tokens")
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    void rateLimited() {
        Counter.builder("writeback.api.rate.limited")
                .description("Requests refused because their source failed authentication too often")
                .register(registry)
                .increment();
    }

    void agentRegistered() {
        Counter.builder("writeback.api.agents.registered")
                .description("Agents registered")
                .register(registry)
                .increment();
    }
}
