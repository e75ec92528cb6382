package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The portal's answer to one request: status, headers (security headers included) and body.
 *
 * @param status the HTTP status code
 * @param headers response headers, in order
 * @param body the body bytes
 */
public record PortalResponse(int status, Map<String, String> headers, byte[] body) {
    /** The Content-Security-Policy of every portal response: only the portal's own script and style. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public PortalResponse {
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
    }

    static PortalResponse html(int status, String html, Map<String, String> extra) {
        var h = security();
        h.put("Content-Type", "text/html; charset=utf-8");
        h.put("Cache-Control", "no-store");
        h.putAll(extra);
        return new PortalResponse(status, h, html.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code 303 See Other} to a path of the portal (never to a URL built from request headers). */
    static PortalResponse redirect(String path, Map<String, String> extra) {
        var h = security();
        h.put("Location", path);
        h.put("Cache-Control", "no-store");
        h.put("Content-Type", "text/plain; charset=utf-8");
        h.putAll(extra);
        return new PortalResponse(303, h, new byte[0]);
    }

    static PortalResponse asset(byte[] content, String contentType) {
        var h = security();
        h.put("Content-Type", contentType);
        h.put("Cache-Control", "public, max-age=3600");
        return new PortalResponse(200, h, content);
    }

    static PortalResponse text(int status, String text) {
        var h = security();
        h.put("Content-Type", "text/plain; charset=utf-8");
        h.put("Cache-Control", "no-store");
        return new PortalResponse(status, h, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> security() {
        var h = new LinkedHashMap<String, String>();
        h.put("Content-Security-Policy", CSP);
        h.put("Referrer-Policy", "no-referrer");
        h.put("Strict-Transport-Security", "max-age=31536000");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        return h;
    }
}
