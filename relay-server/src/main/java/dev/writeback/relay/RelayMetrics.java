package dev.writeback.relay;

import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.agent.KeyRotation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The relay-wide meters no single package owns: certificate, build, JVM and process, and the per-agent and
 * per-tenant gauges (heartbeat age, key version, agents connected), whose rows follow the live sessions at every
 * housekeeping run while their values are read at scrape time. docs/operations.md lists them all with alert rules.
 */
final class RelayMetrics {
    private final AgentSessions sessions;
    private final Clock clock;
    private final Duration overdue;
    private final MultiGauge heartbeatAge;
    private final MultiGauge keyVersion;
    private final MultiGauge connected;

    private RelayMetrics(MeterRegistry registry, AgentSessions sessions, Clock clock, Duration overdue) {
        this.sessions = sessions;
        this.clock = clock;
        this.overdue = overdue;
        heartbeatAge = MultiGauge.builder("writeback_agent_heartbeat_age_seconds")
                .description("Seconds since the agent's last heartbeat on its live session (since it connected, before the first)")
                .register(registry);
        keyVersion = MultiGauge.builder("writeback_agent_key_version")
                .description("Key version the agent's live session uses; a rollover raises it").register(registry);
        connected = MultiGauge.builder("writeback_agents_connected")
                .description("Live agent sessions per tenant").register(registry);
    }

    /** Binds everything to {@code registry}; call {@link #refresh()} when sessions may have come or gone. */
    static RelayMetrics bind(MeterRegistry registry, AgentSessions sessions, KeyRotation rotation, RelayTls tls, Clock clock,
                             Duration overdue) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);   // not closed: lives as long as the JVM
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        String version = RelayMetrics.class.getPackage().getImplementationVersion();
        if (registry instanceof PrometheusMeterRegistry prometheus) {   // an info metric: Micrometer would drop "_info"
            var info = io.prometheus.metrics.core.metrics.Info.builder().name("writeback_build_info")
                    .help("Always 1; the labels name the build").labelNames("component", "version", "java").build();
            info.setLabelValues("relay", version == null ? "dev" : version, System.getProperty("java.runtime.version", "?"));
            prometheus.getPrometheusRegistry().register(info);
        }
        Gauge.builder("writeback_tls_certificate_expiry_seconds", tls, t -> t.notAfter().getEpochSecond())
                .description("When the relay's TLS certificate in use expires, seconds since the epoch")
                .tag("kind", tls.selfSigned() ? "self-signed" : "configured")
                .register(registry);
        FunctionCounter.builder("writeback_tls_certificate_renewals", tls, RelayTls::renewals)
                .description("Self-signed certificate renewals (same key) since the relay started")
                .register(registry);
        FunctionCounter.builder("writeback_agent_connects", sessions, AgentSessions::connects)
                .description("Agent sessions that authenticated and became ready").register(registry);
        for (String reason : AgentSessions.DISCONNECT_REASONS) {
            FunctionCounter.builder("writeback_agent_disconnects", sessions, s -> s.disconnects(reason))
                    .description("Agent sessions that ended, by reason").tag("reason", reason).register(registry);
        }
        for (var code : dev.writeback.protocol.ErrorCode.values()) {
            FunctionCounter.builder("writeback_agent_logins_refused", sessions, s -> s.refusedLogins(code))
                    .description("Agent connections refused before they authenticated, by the error code sent")
                    .tag("reason", code.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        }
        for (String phase : KeyRotation.PHASES) {
            FunctionCounter.builder("writeback_key_rollovers", rotation, r -> r.rollovers(phase))
                    .description("Agent key rollovers since the relay started, by phase").tag("phase", phase)
                    .register(registry);
        }
        Gauge.builder("writeback_key_rollovers_in_progress", rotation, KeyRotation::inProgress)
                .description("Key rollovers started and not yet confirmed by the agent").register(registry);
        var metrics = new RelayMetrics(registry, sessions, clock, overdue);
        metrics.refresh();
        return metrics;
    }

    /** Re-lists the rows of the per-agent and per-tenant gauges from the live sessions. */
    void refresh() {
        var ages = new ArrayList<MultiGauge.Row<?>>();
        var versions = new ArrayList<MultiGauge.Row<?>>();
        Map<String, Integer> perTenant = new HashMap<>();
        for (AgentSession s : sessions.all()) {
            Tags tags = Tags.of("tenant", s.tenantId(), "agent", s.agentId(), "name", s.agentName());
            ages.add(MultiGauge.Row.of(tags, s, this::heartbeatAge));
            versions.add(MultiGauge.Row.of(tags, s, x -> x.live(overdue).keyVersion()));
            perTenant.merge(s.tenantId(), 1, Integer::sum);
        }
        heartbeatAge.register(ages, true);
        keyVersion.register(versions, true);
        List<MultiGauge.Row<?>> tenants = new ArrayList<>();
        perTenant.forEach((tenant, n) -> tenants.add(MultiGauge.Row.of(Tags.of("tenant", tenant), n)));
        connected.register(tenants, true);
    }

    private double heartbeatAge(AgentSession session) {
        var live = session.live(overdue);
        Instant last = live.lastHeartbeat() != null ? live.lastHeartbeat() : live.connectedAt();
        return Math.max(0, Duration.between(last, clock.instant()).toMillis() / 1000.0);
    }
}
