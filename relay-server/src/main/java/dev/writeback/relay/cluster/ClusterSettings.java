package dev.writeback.relay.cluster;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * How this relay node reaches the others ({@code cluster:} in relay.yaml): the NATS servers, the user and
 * password to log in with, and the CA that signed the servers' certificates. Never prints the password.
 *
 * @param nodeId this node's name in the cluster; null for the one generated and kept in the data directory
 * @param urls NATS server URLs, {@code tls://host:4222} (plain {@code nats://} only on loopback)
 * @param username the NATS user, or null for none
 * @param passwordFile a file holding its password (first line), or null
 * @param passwordEnv an environment variable holding it, or null
 * @param caFile PEM certificates that sign the servers' certificates, or null for the JDK's trust store
 */
public record ClusterSettings(String nodeId, List<String> urls, String username, Path passwordFile, String passwordEnv,
                              Path caFile) {
    public ClusterSettings {
        urls = List.copyOf(requireNonNull(urls, "cluster.nats.urls"));
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("cluster.nats.urls: empty (expected: at least one tls://host:port)");
        }
        for (String url : urls) {
            boolean loopback = url.startsWith("nats://127.") || url.startsWith("nats://localhost");
            if (!url.startsWith("tls://") && !loopback) {
                throw new IllegalArgumentException("cluster.nats.urls: " + url
                        + " (expected: tls://host:port; nats:// without TLS only on loopback)");
            }
        }
        if (nodeId != null && !nodeId.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
            throw new IllegalArgumentException("cluster.nodeId: " + nodeId + " (expected: letters, digits, - and _, 1 to 63)");
        }
        if (username != null && passwordFile == null && passwordEnv == null) {
            throw new IllegalArgumentException("cluster.nats: username without passwordFile or passwordEnv");
        }
    }

    /** The password, from its file or environment variable; null without a user. */
    char[] password(Function<String, String> environment) {
        if (username == null) {
            return null;
        }
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
            } catch (IOException e) {
                throw new IllegalStateException("cluster.nats.passwordFile: " + passwordFile + " cannot be read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        String value = environment.apply(passwordEnv);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("cluster.nats.passwordEnv: " + passwordEnv + " is not set");
        }
        return value.toCharArray();
    }

    @Override
    public String toString() {
        return "ClusterSettings[node " + nodeId + ", " + urls + (username == null ? "" : " as " + username)
                + (caFile == null ? "" : ", CA " + caFile) + "]";
    }
}
