package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the portal, detached from the server that received it.
 *
 * @param method {@code GET} or {@code POST} (anything else is refused)
 * @param path the decoded path, starting with {@code /sspr/}
 * @param query the query parameters
 * @param acceptLanguage the {@code Accept-Language} header, may be null
 * @param cookie the {@code Cookie} header, may be null
 * @param contentType the {@code Content-Type} header, may be null
 * @param body the body (a form; may hold a password): the portal wipes it once parsed
 * @param source the client's IP address (the TCP peer, or what a trusted proxy said)
 * @param host the {@code Host} header as {@link PortalSettings#normalHost} gives it, null when absent
 * @param serverName the TLS server name (SNI) the client asked for, normalized the same way; null without one
 */
public record PortalRequest(String method, String path, Map<String, List<String>> query, String acceptLanguage,
                            String cookie, String contentType, byte[] body, String source, String host,
                            String serverName) {
    public PortalRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        query = Map.copyOf(query);
        requireNonNull(body, "body");
        requireNonNull(source, "source");
        host = PortalSettings.normalHost(host);
        serverName = PortalSettings.normalHost(serverName);
    }

    /** A request without a {@code Host} header or TLS server name. */
    public PortalRequest(String method, String path, Map<String, List<String>> query, String acceptLanguage,
                         String cookie, String contentType, byte[] body, String source) {
        this(method, path, query, acceptLanguage, cookie, contentType, body, source, null, null);
    }

    /** The first value of a query parameter, or null. */
    String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Zeroes the body. */
    void wipe() {
        Arrays.fill(body, (byte) 0);
    }

    @Override
    public String toString() {
        return "PortalRequest[" + method + " " + path + "]";
    }
}
