package dev.writeback.systemtests;

import dev.writeback.protocol.tls.TlsPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLSocket;

/**
 * A raw HTTP/1.1 client over TLS from a chosen loopback source address: sends exactly the bytes a test writes
 * (bad headers, wrong content types, trickled requests) and reads one response.
 */
final class RawHttps implements AutoCloseable {
    /** One response: status, headers (lower-case names) and body text; status -1 when the connection just closed. */
    record Response(int status, Map<String, String> headers, String body) {}

    private final SSLSocket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttps(int port, String fingerprint, String source) throws IOException {
        this(port, fingerprint, source, null);
    }

    /** As {@link #RawHttps(int, String, String)}, asking for {@code serverName} in the TLS handshake (SNI). */
    RawHttps(int port, String fingerprint, String source, String serverName) throws IOException {
        var factory = TlsPolicy.pinnedJdk(fingerprint).getSocketFactory();
        this.socket = (SSLSocket) factory.createSocket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(source), 0);
        if (serverName != null) {
            var parameters = socket.getSSLParameters();
            parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(serverName)));
            socket.setSSLParameters(parameters);
        }
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** A request with a JSON body, a bearer token (or null) and any extra header lines. */
    static String request(String method, String path, String token, String contentType, byte[] body, String... extraHeaders) {
        var sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
        if (token != null) {
            sb.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("Content-Length: ").append(body.length).append("\r\n\r\n").toString();
    }

    Response send(String head, byte[] body) throws IOException {
        write(head.getBytes(StandardCharsets.ISO_8859_1));
        write(body);
        return read();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response (Content-Length framed). */
    Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return new Response(-1, Map.of(), "");
        }
        Map<String, String> headers = new TreeMap<>();
        for (String h; (h = line()) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the relay closed the connection (end of stream, or a reset). */
    boolean closedByPeer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        var buf = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
