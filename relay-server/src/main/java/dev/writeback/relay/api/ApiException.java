package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/**
 * A request the API refuses: the HTTP status, a stable error code, the field at fault (or null) and a message
 * that names the value and what was expected. The message never holds a password, a token or a request body.
 */
final class ApiException extends RuntimeException {
    private final HttpResponseStatus status;
    private final String error;
    private final String field;
    private final Map<String, String> headers;

    private ApiException(HttpResponseStatus status, String error, String field, String message,
            Map<String, String> headers) {
        super(requireNonNull(message, "message"), null, false, false);   // control flow: no stack trace
        this.status = requireNonNull(status, "status");
        this.error = requireNonNull(error, "error");
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", field, message, Map.of());
    }

    static ApiException unauthorized(String message) {
        return new ApiException(HttpResponseStatus.UNAUTHORIZED, "UNAUTHORIZED", null, message,
                Map.of("WWW-Authenticate", "Bearer"));
    }

    static ApiException forbidden(String message) {
        return new ApiException(HttpResponseStatus.FORBIDDEN, "FORBIDDEN", null, message, Map.of());
    }

    static ApiException notFound(String error, String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, error, null, message, Map.of());
    }

    static ApiException methodNotAllowed(String method, String allow) {
        return new ApiException(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", null,
                "method: " + method + " (expected: " + allow + ")", Map.of("Allow", allow));
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", message,
                Map.of());
    }

    static ApiException payloadTooLarge(int bytes, int max) {
        return new ApiException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE", "body",
                "body length: " + bytes + " bytes (expected: <= " + max + ")", Map.of());
    }

    static ApiException uriTooLong(int max) {
        return new ApiException(HttpResponseStatus.REQUEST_URI_TOO_LONG, "URI_TOO_LONG", "uri",
                "request line: too long (expected: <= " + max + " bytes)", Map.of());
    }

    static ApiException headersTooLarge(int max) {
        return new ApiException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "HEADERS_TOO_LARGE", "headers",
                "headers: too large (expected: <= " + max + " bytes in all)", Map.of());
    }

    static ApiException conflict(String error, String message) {
        return new ApiException(HttpResponseStatus.CONFLICT, error, null, message, Map.of());
    }

    static ApiException tooManyRequests(long retryAfterSeconds) {
        return new ApiException(HttpResponseStatus.TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", null,
                "failed authentication attempts: too many from this address (expected: retry after "
                        + retryAfterSeconds + " s)", Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static ApiException unavailable(String error, String message) {
        return new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, error, null, message, Map.of());
    }

    HttpResponseStatus status() {
        return status;
    }

    String error() {
        return error;
    }

    /** The request field at fault, or null. */
    String field() {
        return field;
    }

    /** Extra response headers ({@code Allow}, {@code Retry-After}, {@code WWW-Authenticate}). */
    Map<String, String> headers() {
        return headers;
    }
}
