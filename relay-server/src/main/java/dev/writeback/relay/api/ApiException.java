package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/**
 * A request the API refuses: the HTTP status, a stable error code, the field at fault (or null) and a message
 * that names the value and what was expected. The message never holds a password, a token or a request body.
 */
final class ApiException extends RuntimeException {
    private final ApiError error;
    private final String field;
    private final Map<String, String> headers;

    private ApiException(ApiError error, String field, String message, Map<String, String> headers) {
        super(requireNonNull(message, "message"), null, false, false);   // control flow: no stack trace
        this.error = requireNonNull(error, "error");
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(ApiError.INVALID_REQUEST, field, message, Map.of());
    }

    static ApiException unauthorized(String message) {
        return new ApiException(ApiError.UNAUTHORIZED, null, message,
                Map.of("WWW-Authenticate", "Bearer"));
    }

    static ApiException forbidden(String message) {
        return new ApiException(ApiError.FORBIDDEN, null, message, Map.of());
    }

    static ApiException notFound(ApiError error, String message) {
        return new ApiException(error, null, message, Map.of());
    }

    static ApiException methodNotAllowed(String method, String allow) {
        return new ApiException(ApiError.METHOD_NOT_ALLOWED, null,
                "method: " + method + " (expected: " + allow + ")", Map.of("Allow", allow));
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "Content-Type", message,
                Map.of());
    }

    static ApiException payloadTooLarge(int bytes, int max) {
        return new ApiException(ApiError.PAYLOAD_TOO_LARGE, "body",
                "body length: " + bytes + " bytes (expected: <= " + max + ")", Map.of());
    }

    static ApiException uriTooLong(int max) {
        return new ApiException(ApiError.URI_TOO_LONG, "uri",
                "request line: too long (expected: <= " + max + " bytes)", Map.of());
    }

    static ApiException headersTooLarge(int max) {
        return new ApiException(ApiError.HEADERS_TOO_LARGE, "headers",
                "headers: too large (expected: <= " + max + " bytes in all)", Map.of());
    }

    static ApiException conflict(ApiError error, String message) {
        return new ApiException(error, null, message, Map.of());
    }

    static ApiException tooManyRequests(long retryAfterSeconds) {
        return new ApiException(ApiError.TOO_MANY_REQUESTS, null,
                "failed authentication attempts: too many from this address (expected: retry after "
                        + retryAfterSeconds + " s)", Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static ApiException unavailable(ApiError error, String message) {
        return new ApiException(error, null, message, Map.of());
    }

    HttpResponseStatus status() {
        return error.status();
    }

    ApiError error() {
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
