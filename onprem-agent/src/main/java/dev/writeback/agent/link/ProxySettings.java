package dev.writeback.agent.link;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * An HTTP CONNECT proxy between the agent and the relay.
 *
 * @param address the proxy's address
 * @param username basic-auth user, or null
 * @param password basic-auth password, or null (never printed)
 */
public record ProxySettings(InetSocketAddress address, String username, char[] password) {
    public ProxySettings {
        requireNonNull(address, "address");
    }

    @Override
    public String toString() {
        return "ProxySettings[address=" + address + ", username=" + username + ", password=" + (password == null ? "none" : "****") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxySettings p && address.equals(p.address) && java.util.Objects.equals(username, p.username);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }
}
