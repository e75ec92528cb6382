package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.LogCapture;
import dev.writeback.relay.api.TrustedProxies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One source cannot hold all the relay's connections, and refusals are counted and logged once per interval. */
class ConnectionLimitsTest {
    private final FakeClock clock = new FakeClock();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final LogCapture logs = new LogCapture();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final ConnectionLimits limits = new ConnectionLimits(new RelayLimits(5, 2, 10),
            TrustedProxies.of(List.of("10.0.0.0/8")), clock, metrics);

    @BeforeEach
    void startLogs() {
        logs.start();
    }

    @AfterEach
    void stop() {
        logs.close();
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void perAddressCap_refusesTheNextConnectionFromThatAddressOnly() {
        assertThat(limits.admit(from("192.0.2.1"))).isTrue();
        assertThat(limits.admit(from("192.0.2.1"))).isTrue();

        assertThat(limits.admit(from("192.0.2.1"))).isFalse();
        assertThat(limits.admit(from("192.0.2.2"))).isTrue();
        assertThat(refused("address")).isEqualTo(1);
        assertThat(limits.open()).isEqualTo(3);
    }

    @Test
    void closedConnection_givesItsSlotBack() {
        EmbeddedChannel first = from("192.0.2.1");
        limits.admit(first);
        limits.admit(from("192.0.2.1"));

        first.close();

        assertThat(limits.admit(from("192.0.2.1"))).isTrue();
        assertThat(limits.open()).isEqualTo(2);
    }

    @Test
    void globalCap_refusesEveryone_andTrustedProxiesAreExemptOnlyFromThePerAddressCap() {
        IntStream.range(0, 5).forEach(i -> assertThat(limits.admit(from("10.1.1.1"))).isTrue());

        assertThat(limits.admit(from("192.0.2.9"))).isFalse();
        assertThat(limits.admit(from("10.1.1.1"))).isFalse();
        assertThat(refused("total")).isEqualTo(2);
    }

    @Test
    void refusals_areLoggedOncePerInterval_withTheirCount() {
        limits.admit(from("192.0.2.1"));
        limits.admit(from("192.0.2.1"));
        for (int i = 0; i < 1000; i++) {
            assertThat(limits.admit(from("192.0.2.1"))).isFalse();
        }
        assertThat(lines()).hasSize(1);

        clock.advance(ConnectionLimits.LOG_INTERVAL);
        limits.admit(from("192.0.2.1"));

        assertThat(lines()).hasSize(2);
        assertThat(lines().get(1)).contains("1000 since the last report").contains("maxConnectionsPerAddress 2");
        assertThat(refused("address")).isEqualTo(1001);
    }

    private List<String> lines() {
        return logs.events().stream().map(e -> e.getFormattedMessage()).filter(m -> m.startsWith("RLY-060")).toList();
    }

    private double refused(String reason) {
        return metrics.get("writeback.connections.refused").tag("reason", reason).counter().count();
    }

    private EmbeddedChannel from(String address) {
        var remote = new InetSocketAddress(address, 40000 + channels.size());
        var ch = new EmbeddedChannel() {
            @Override
            public SocketAddress remoteAddress() {
                return remote;
            }
        };
        channels.add(ch);
        return ch;
    }
}
