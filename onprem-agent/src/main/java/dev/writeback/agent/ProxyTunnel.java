package dev.writeback.agent;

import dev.writeback.agent.link.ProxySettings;
import dev.writeback.agent.link.RelayTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS POST through an HTTP CONNECT proxy (RFC 9110 §9.3.6), with basic auth when configured: what
 * {@code agent register} does behind a corporate proxy. The JDK's own client refuses basic auth for tunnels by
 * default, so the tunnel is opened here and TLS (with the agent's trust) runs inside it.
 */
final class ProxyTunnel {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** An HTTP answer: status and body. */
    record Answer(int status, String body) {}

    private ProxyTunnel() {}

    /** POSTs a JSON body to {@code uri} through {@code proxy}. */
    static Answer post(ProxySettings proxy, URI uri, RelayTrust trust, byte[] body) throws IOException {
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 443;
        String proxyName = proxy.address().getHostString() + ":" + proxy.address().getPort();
        var raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(proxy.address().getHostString(), proxy.address().getPort()),
                    (int) CONNECT_TIMEOUT.toMillis());
        } catch (IOException e) {
            raw.close();
            throw new IOException("proxy " + proxyName + " unreachable: " + e.getMessage(), e);
        }
        try {
            raw.setSoTimeout((int) READ_TIMEOUT.toMillis());
            connect(raw, proxy, proxyName, host, port);
            var tls = (SSLSocket) trust.jdkContext().getSocketFactory().createSocket(raw, host, port, true);
            if (trust.checksHostname()) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
            }
            try (tls) {
                tls.startHandshake();
                return exchange(tls, uri, host, port, body);
            }
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static void connect(Socket raw, ProxySettings proxy, String proxyName, String host, int port) throws IOException {
        var request = new StringBuilder("CONNECT ").append(host).append(':').append(port).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n");
        if (proxy.username() != null) {
            String credentials = proxy.username() + ":" + new String(proxy.password());
            request.append("Proxy-Authorization: Basic ")
                    .append(Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))).append("\r\n");
        }
        OutputStream out = raw.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(raw.getInputStream());
        int status = status(head);
        if (status == 407 || status == 401) {
            throw new IOException("proxy " + proxyName + " refused the credentials of user " + proxy.username()
                    + " (status " + status + "): check --proxy-user and --proxy-password-file, or relay.proxy in agent.yaml");
        }
        if (status != 200) {
            throw new IOException("proxy " + proxyName + " refused the tunnel to " + host + ":" + port + " (status "
                    + status + "): check that the proxy allows CONNECT to this port");
        }
    }

    private static Answer exchange(SSLSocket tls, URI uri, String host, int port, byte[] body) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        OutputStream out = tls.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        InputStream in = tls.getInputStream();
        String answerHead = readHead(in);
        int length = contentLength(answerHead);
        byte[] bytes = length >= 0 ? in.readNBytes(Math.min(length, MAX_BODY_BYTES)) : in.readNBytes(MAX_BODY_BYTES);
        return new Answer(status(answerHead), new String(bytes, StandardCharsets.UTF_8));
    }

    /** Reads up to and including the blank line that ends an HTTP head. */
    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the middle of an HTTP answer");
            }
            head.write(b);
            if (head.size() > MAX_HEADER_BYTES) {
                throw new IOException("HTTP answer head: over " + MAX_HEADER_BYTES + " bytes");
            }
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int status(String head) throws IOException {
        String[] first = head.lines().findFirst().orElse("").split(" ", 3);
        try {
            return Integer.parseInt(first.length > 1 ? first[1] : "");
        } catch (NumberFormatException e) {
            throw new IOException("HTTP status line: " + (first.length > 0 ? first[0] : "") + " (expected: HTTP/1.1 NNN)");
        }
    }

    private static int contentLength(String head) {
        return head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).filter(v -> v.matches("\\d{1,9}"))
                .mapToInt(Integer::parseInt).findFirst().orElse(-1);
    }
}
