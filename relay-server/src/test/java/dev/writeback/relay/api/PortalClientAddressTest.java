package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.portal.PortalHandler;
import dev.writeback.relay.net.ClientAddress;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The portal counts its per-address limits against the client the relay resolved, not the proxy in front. */
class PortalClientAddressTest {

    @Test
    void withoutAProxy_theTcpPeerIsTheSource() {
        var channel = new EmbeddedChannel();

        assertThat(PortalHandler.source(channel)).isEqualTo(ClientAddress.of(channel));
    }

    @Test
    void aProxyProtocolClient_isTheSource() {
        var channel = new EmbeddedChannel();
        channel.attr(ClientAddress.PROXIED).set(new InetSocketAddress("198.51.100.7", 40000));

        assertThat(PortalHandler.source(channel)).isEqualTo("198.51.100.7");
    }

    @Test
    void aForwardedForClientFromATrustedProxy_isTheSource() {
        var channel = new EmbeddedChannel();
        channel.attr(ClientAddress.PROXIED).set(new InetSocketAddress("198.51.100.7", 40000));
        channel.attr(ClientAddress.CURRENT).set("203.0.113.9");

        assertThat(PortalHandler.source(channel)).isEqualTo("203.0.113.9").isEqualTo(ClientAddress.of(channel));
    }
}
