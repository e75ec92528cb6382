package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ApiErrorTest {
    @Test
    void everyCode_hasTheStatusClientsSee() {
        // Written out, not read from the enum: a change of status is a change of the API.
        Map<String, Integer> expected = Map.ofEntries(
                Map.entry("INVALID_REQUEST", 400), Map.entry("UNAUTHORIZED", 401), Map.entry("FORBIDDEN", 403),
                Map.entry("NOT_FOUND", 404), Map.entry("TOKEN_NOT_FOUND", 404), Map.entry("AGENT_NOT_FOUND", 404),
                Map.entry("USER_NOT_SYNCED", 404), Map.entry("METHOD_NOT_ALLOWED", 405), Map.entry("REQUEST_TIMEOUT", 408),
                Map.entry("AGENT_NOT_CONNECTED", 409), Map.entry("HASH_SYNC_OFF", 409), Map.entry("PAYLOAD_TOO_LARGE", 413),
                Map.entry("URI_TOO_LONG", 414), Map.entry("UNSUPPORTED_MEDIA_TYPE", 415), Map.entry("TOO_MANY_REQUESTS", 429),
                Map.entry("HEADERS_TOO_LARGE", 431), Map.entry("INTERNAL_ERROR", 500), Map.entry("OVERLOADED", 503),
                Map.entry("STORE_UNAVAILABLE", 503), Map.entry("HASH_SYNC_UNAVAILABLE", 503));

        assertThat(Arrays.stream(ApiError.values()).collect(Collectors.toMap(Enum::name, e -> e.status().code())))
                .isEqualTo(expected);
    }

    @Test
    void anException_answersItsCodesStatus() {
        var e = ApiException.conflict(ApiError.HASH_SYNC_OFF, "hash sync: off");
        assertThat(e.status().code()).isEqualTo(409);
        assertThat(e.error()).isEqualTo(ApiError.HASH_SYNC_OFF);
    }
}
