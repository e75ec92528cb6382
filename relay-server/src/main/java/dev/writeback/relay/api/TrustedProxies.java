package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies and load balancers whose word on the client's address the relay takes ({@code proxies.trusted}).
 * Only a connection from one of them may name the client with {@code X-Forwarded-For}; from anyone else the
 * header is ignored, so a caller cannot pick the address its failures are counted against.
 */
public final class TrustedProxies {
    /** Trusts nobody: the client address is always the TCP peer. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of(), false);
    /** Longest {@code X-Forwarded-For} value read; a longer one is ignored. */
    static final int MAX_HEADER_CHARS = 1024;

    private final List<String> cidrs;
    private final List<Range> ranges;
    private final boolean proxyProtocol;

    private TrustedProxies(List<String> cidrs, List<Range> ranges, boolean proxyProtocol) {
        this.cidrs = List.copyOf(cidrs);
        this.ranges = List.copyOf(ranges);
        this.proxyProtocol = proxyProtocol;
    }

    /** Parses addresses and CIDR ranges ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 192.0.2.7}). */
    public static TrustedProxies of(List<String> cidrs) {
        requireNonNull(cidrs, "cidrs");
        var ranges = new ArrayList<Range>();
        for (String cidr : cidrs) {
            ranges.add(Range.parse(requireNonNull(cidr, "cidr")));
        }
        return new TrustedProxies(cidrs, ranges, false);
    }

    /**
     * A copy that expects the PROXY protocol (v1 or v2) header from every trusted peer ({@code proxies.protocol:
     * proxy-v1v2}) when {@code on}; other peers never get to send one.
     */
    public TrustedProxies withProxyProtocol(boolean on) {
        return new TrustedProxies(cidrs, ranges, on);
    }

    /** Parses {@code proxies.protocol}: {@code none} (the default) or {@code proxy-v1v2}. */
    public static boolean parseProtocol(String value) {
        if (value == null || "none".equals(value)) {
            return false;
        }
        if ("proxy-v1v2".equals(value)) {
            return true;
        }
        throw new IllegalArgumentException("proxies.protocol: " + value + " (expected: none or proxy-v1v2)");
    }

    /** Whether trusted peers send a PROXY protocol header first. */
    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /** The ranges as configured. */
    public List<String> cidrs() {
        return cidrs;
    }

    /** Whether nobody is trusted. */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether {@code address} is one of the trusted proxies. */
    public boolean trusts(InetAddress address) {
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address: the TCP peer, unless the peer is a trusted proxy and {@code forwardedFor} (the
     * {@code X-Forwarded-For} value, or null) names one. Then it is the right-most entry that is not itself a
     * trusted proxy, since everything left of that was written by the client and proves nothing.
     */
    public String client(SocketAddress peer, String forwardedFor) {
        InetAddress peerAddress = peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (peerAddress == null) {
            return String.valueOf(peer);
        }
        if (forwardedFor == null || forwardedFor.length() > MAX_HEADER_CHARS || !trusts(peerAddress)) {
            return peerAddress.getHostAddress();
        }
        String[] hops = forwardedFor.split(",");
        InetAddress client = peerAddress;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i].strip());
            if (hop == null) {
                break;   // not an address: stop at the last hop we could read
            }
            client = hop;
            if (!trusts(hop)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    private static InetAddress literal(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return cidrs + (proxyProtocol ? " (PROXY protocol)" : "");
    }

    /** One address range: a network address and a prefix length. */
    private record Range(byte[] network, int prefix) {
        static Range parse(String cidr) {
            String text = cidr.strip();
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("proxies.trusted: " + cidr
                        + " (expected: an IP address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32)");
            }
            byte[] bytes = address.getAddress();
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("proxies.trusted: " + cidr + " (expected: a prefix length 0.." + max + ")");
            }
            return new Range(bytes, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
