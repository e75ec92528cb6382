package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.Durations;
import java.time.Duration;

/**
 * How the relay looks after itself: the lifetime and renewal of its self-signed certificate, how early it warns
 * about a configured certificate's expiry, and where it serves {@code /metrics}. Read from {@code relay.yaml}
 * ({@code tls.*}, {@code metrics.*}) next to {@link RelayConfig}.
 *
 * @param selfSignedValidity lifetime of each self-signed certificate the relay issues itself ({@code tls.selfSignedValidity})
 * @param renewBefore a self-signed certificate is re-issued, with the same key pair, this long before it expires
 *                    ({@code tls.renewBefore})
 * @param expiryWarning RLY-012 warns from this long before any certificate in use expires ({@code tls.expiryWarning})
 * @param metricsAddress address of the separate metrics listener ({@code metrics.address}); null serves
 *                       {@code /metrics} on the TLS port only
 * @param metricsPort port of the separate metrics listener ({@code metrics.port}; 0 = ephemeral)
 * @param metricsOnPublicPort whether the TLS port also serves {@code /metrics} ({@code metrics.publicPort}, default
 *                            true); false needs the separate listener, so the metrics are served somewhere
 */
public record OperationsConfig(Duration selfSignedValidity, Duration renewBefore, Duration expiryWarning,
                               String metricsAddress, int metricsPort, boolean metricsOnPublicPort) {
    /** 90 days, renewed 30 days before expiry, warned about 21 days before, metrics on the TLS port. */
    public static final OperationsConfig DEFAULTS = new OperationsConfig(Duration.ofDays(90), Duration.ofDays(30),
            Duration.ofDays(21), null, 0, true);

    public OperationsConfig {
        requireNonNull(selfSignedValidity, "tls.selfSignedValidity");
        requireNonNull(renewBefore, "tls.renewBefore");
        requireNonNull(expiryWarning, "tls.expiryWarning");
        if (selfSignedValidity.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("tls.selfSignedValidity: " + Durations.format(selfSignedValidity)
                    + " (expected: >= 1h)");
        }
        if (renewBefore.isNegative() || renewBefore.isZero() || renewBefore.compareTo(selfSignedValidity) >= 0) {
            throw new IllegalArgumentException("tls.renewBefore: " + Durations.format(renewBefore) + " (expected: > 0s and"
                    + " < tls.selfSignedValidity " + Durations.format(selfSignedValidity) + ")");
        }
        if (expiryWarning.isNegative()) {
            throw new IllegalArgumentException("tls.expiryWarning: " + Durations.format(expiryWarning) + " (expected: >= 0s)");
        }
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("metrics.port: " + metricsPort + " (expected: 0..65535)");
        }
        if (!metricsOnPublicPort && metricsAddress == null) {
            throw new IllegalArgumentException("metrics.publicPort: false without metrics.address (expected: "
                    + "metrics.address set, so /metrics is served on the separate listener, or publicPort: true)");
        }
    }

    /** A copy with another self-signed certificate lifetime and renewal margin (tests use hours). */
    public OperationsConfig withSelfSigned(Duration validity, Duration renew) {
        return new OperationsConfig(validity, renew, expiryWarning, metricsAddress, metricsPort, metricsOnPublicPort);
    }

    /** A copy serving {@code /metrics} (and {@code /healthz}, {@code /readyz}) on a separate plain-HTTP listener. */
    public OperationsConfig withMetricsListener(String address, int port) {
        return new OperationsConfig(selfSignedValidity, renewBefore, expiryWarning, address, port, metricsOnPublicPort);
    }

    /** A copy whose TLS port serves {@code /metrics} or answers it 404 (the separate listener still serves it). */
    public OperationsConfig withMetricsOnPublicPort(boolean on) {
        return new OperationsConfig(selfSignedValidity, renewBefore, expiryWarning, metricsAddress, metricsPort, on);
    }
}
