package dev.writeback.relay;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The relay-wide meters that are not owned by one package: certificate, build and process. */
final class RelayMetrics {
    private RelayMetrics() {}

    /** Certificate expiry (seconds since the epoch, for {@code ... - time()} alerts) and renewals. */
    static void bindCertificate(MeterRegistry registry, RelayTls tls) {
        Gauge.builder("writeback_tls_certificate_expiry_seconds", tls, t -> t.notAfter().getEpochSecond())
                .description("When the relay's TLS certificate in use expires, seconds since the epoch")
                .tag("kind", tls.selfSigned() ? "self-signed" : "configured")
                .register(registry);
        FunctionCounter.builder("writeback_tls_certificate_renewals", tls, RelayTls::renewals)
                .description("Self-signed certificate renewals (same key) since the relay started")
                .register(registry);
    }
}
