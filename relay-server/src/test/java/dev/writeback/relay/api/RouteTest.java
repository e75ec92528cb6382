package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RouteTest {
    @Test
    void match_literalPathWinsOverTemplate() {
        assertThat(Route.match(HttpMethod.POST, "/api/v1/agents/registration-tokens").route())
                .isEqualTo(Route.REGISTRATION_TOKEN);
    }

    @Test
    void match_templateCapturesId() {
        var match = Route.match(HttpMethod.POST, "/api/v1/agents/0f8fad5b-d9cb-469f-a165-70867728950e/rotate-keys");

        assertThat(match.route()).isEqualTo(Route.AGENT_ROTATE_KEYS);
        assertThat(match.id()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
    }

    @Test
    void match_unknownPathOrBadId_is404() {
        for (String path : new String[] {"/", "/api/v1/agents/", "/api/v1/agents/a.b", "/healthz/", "/api/v1/agents/x/y"}) {
            assertThatThrownBy(() -> Route.match(HttpMethod.GET, path))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().code()).isEqualTo(404));
        }
    }

    @Test
    void match_wrongMethod_is405ListingAllowed() {
        assertThatThrownBy(() -> Route.match(HttpMethod.PATCH, "/api/v1/agents"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(405);
                    assertThat(e.headers()).containsEntry("Allow", "GET");
                });
    }
}
