package dev.writeback.relay.net;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Where a connection's client is, as the relay counts failures, writes audit records and logs: the TCP peer, or
 * the address a trusted proxy named for it (the PROXY protocol header of the connection, then the
 * {@code X-Forwarded-For} of each request, see {@link TrustedProxies#client}). Set by the pipeline, read by the
 * REST API and the agent WebSocket.
 */
public final class ClientAddress {
    /** The client named by the connection's PROXY protocol header from a trusted peer; unset without one. */
    public static final AttributeKey<InetSocketAddress> PROXIED = AttributeKey.valueOf("writeback.client.proxied");
    /** The client of the connection's latest request, after {@code X-Forwarded-For}; unset before a request. */
    public static final AttributeKey<String> CURRENT = AttributeKey.valueOf("writeback.client.current");

    private ClientAddress() {}

    /** The peer as far as the transport knows: the PROXY protocol's source address, or the TCP peer. */
    public static SocketAddress peer(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    /** The client's IP address for limits, audit and logs. */
    public static String of(Channel channel) {
        String current = channel.attr(CURRENT).get();
        return current != null ? current : host(peer(channel));
    }

    /** The IP address of {@code address} as text, or its string form when it has none. */
    public static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
