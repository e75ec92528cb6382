package dev.writeback.relay;

import static java.util.Objects.requireNonNull;

import dev.writeback.relay.api.TrustedProxies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps open connections, in all and per source address, so one client cannot use up the relay's file
 * descriptors. A connection over a cap is closed before its TLS handshake. Refusals are counted in
 * {@code writeback_connections_refused_total{reason}} and logged as {@code RLY-060} at most once per
 * {@link #LOG_INTERVAL}, with the number refused since the last line. Trusted proxies are exempt from the
 * per-address cap: every client behind them shares their address.
 */
final class ConnectionLimits {
    /** Shortest time between two {@code RLY-060} lines. */
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private static final Logger logger = LoggerFactory.getLogger(ConnectionLimits.class);

    private final RelayLimits limits;
    private final TrustedProxies proxies;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final Counter refusedTotal;
    private final Counter refusedAddress;
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong nextReportMillis = new AtomicLong(Long.MIN_VALUE);

    ConnectionLimits(RelayLimits limits, TrustedProxies proxies, Clock clock, MeterRegistry metrics) {
        this.limits = requireNonNull(limits, "limits");
        this.proxies = requireNonNull(proxies, "proxies");
        this.clock = requireNonNull(clock, "clock");
        Gauge.builder("writeback.connections.open", open, AtomicInteger::get)
                .description("Open client connections (REST API and agents)")
                .register(metrics);
        refusedTotal = refusedCounter(metrics, "total");
        refusedAddress = refusedCounter(metrics, "address");
    }

    /**
     * Takes a slot for {@code channel} and gives it back when the channel closes; false (nothing taken) when a
     * cap is reached and the caller must close the channel.
     */
    boolean admit(Channel channel) {
        InetAddress address = channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refused(refusedTotal, "maxConnections " + limits.maxConnections(), address);
            return false;
        }
        boolean counted = address != null && !proxies.trusts(address);
        if (counted && !takeAddressSlot(address)) {
            open.decrementAndGet();
            refused(refusedAddress, "maxConnectionsPerAddress " + limits.maxConnectionsPerAddress(), address);
            return false;
        }
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (counted) {
                perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
            }
        });
        return true;
    }

    /** Open connections now. */
    int open() {
        return open.get();
    }

    private boolean takeAddressSlot(InetAddress address) {
        var taken = new boolean[1];
        perAddress.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            taken[0] = now < limits.maxConnectionsPerAddress();
            return taken[0] ? now + 1 : n;
        });
        return taken[0];
    }

    private void refused(Counter counter, String cap, InetAddress address) {
        counter.increment();
        unreported.incrementAndGet();
        long now = clock.millis();
        long next = nextReportMillis.get();
        if (now < next || !nextReportMillis.compareAndSet(next, now + LOG_INTERVAL.toMillis())) {
            return;
        }
        long reported = unreported.getAndSet(0);
        logger.warn("RLY-060 connections refused: {} since the last report, {} reached (open={}, last source={});"
                + " next report in {} s at the earliest", reported, cap, open.get(),
                address == null ? "-" : address.getHostAddress(), LOG_INTERVAL.toSeconds());
    }

    private static Counter refusedCounter(MeterRegistry metrics, String reason) {
        return Counter.builder("writeback.connections.refused")
                .description("Connections closed at once because a connection cap was reached")
                .tag("reason", reason)
                .register(metrics);
    }
}
