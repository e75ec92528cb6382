package dev.writeback.relay.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The {@code error} codes of the REST API's refusals, each with the HTTP status it is answered with (as
 * {@link dev.writeback.protocol.ResultCode} does for operation results). The names are stable: clients match on them.
 */
public enum ApiError {
    INVALID_REQUEST(HttpResponseStatus.BAD_REQUEST),
    UNAUTHORIZED(HttpResponseStatus.UNAUTHORIZED),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    TOKEN_NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    AGENT_NOT_FOUND(HttpResponseStatus.NOT_FOUND),
    USER_NOT_SYNCED(HttpResponseStatus.NOT_FOUND),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED),
    REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT),
    AGENT_NOT_CONNECTED(HttpResponseStatus.CONFLICT),
    HASH_SYNC_OFF(HttpResponseStatus.CONFLICT),
    PAYLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG),
    UNSUPPORTED_MEDIA_TYPE(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE),
    TOO_MANY_REQUESTS(HttpResponseStatus.TOO_MANY_REQUESTS),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    INTERNAL_ERROR(HttpResponseStatus.INTERNAL_SERVER_ERROR),
    OVERLOADED(HttpResponseStatus.SERVICE_UNAVAILABLE),
    STORE_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE),
    HASH_SYNC_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE);

    private final HttpResponseStatus status;

    ApiError(HttpResponseStatus status) {
        this.status = status;
    }

    /** The HTTP status answered with this code. */
    public HttpResponseStatus status() {
        return status;
    }
}
