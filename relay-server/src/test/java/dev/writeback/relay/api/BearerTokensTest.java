package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {
    private static final String RESET = "/api/v1/writeback/password-reset";
    private static final String RESET_BODY = "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"Correct-Horse-9\"}";
    private static final String STATUS = "/api/v1/writeback/status";

    @TempDir
    Path dataDir;

    private ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void missingUnknownOrMalformedToken_isTheSame401() {
        var missing = api.send(HttpMethod.GET, STATUS, null, null);
        var unknown = api.send(HttpMethod.GET, STATUS, null, "wb_api_unknown");
        var notOurs = api.send(HttpMethod.GET, STATUS, null, "something-else");
        var basic = ApiFixture.request(HttpMethod.GET, STATUS, null, null);
        basic.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic dXNlcjpwYXNz");
        var basicAnswer = api.exchange(basic);

        for (var answer : new ApiFixture.Answer[] {missing, unknown, notOurs, basicAnswer}) {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.error()).isEqualTo("UNAUTHORIZED");
            assertThat(answer.json().get("message")).isEqualTo(missing.json().get("message"));
            assertThat(answer.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
        }
    }

    @Test
    void tokenOfAnotherTenant_isRefusedWhenCallerNamesATenant() {
        var other = api.store.createTenant("other");
        String otherToken = api.store.createApiToken(other.id(), "x").plaintext();
        var request = ApiFixture.request(HttpMethod.GET, STATUS, null, otherToken);
        request.headers().set(BearerTokens.TENANT_HEADER, api.tenant.id());

        var answer = api.exchange(request);

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("FORBIDDEN");
        assertThat(answer.text()).doesNotContain(other.id()).doesNotContain(otherToken);
    }

    @Test
    void tenantHeaderMatchingToken_isAccepted() {
        var request = ApiFixture.request(HttpMethod.GET, STATUS, null, api.token);
        request.headers().set(BearerTokens.TENANT_HEADER, api.tenant.id());

        assertThat(api.exchange(request).status()).isEqualTo(200);
    }

    @Test
    void tokensSeeOnlyTheirTenant() {
        var other = api.store.createTenant("other");
        api.store.createAgent(other.id(), "theirs", new byte[] {1});
        String otherToken = api.store.createApiToken(other.id(), "x").plaintext();

        assertThat(api.get("/api/v1/agents").json().get("agents")).isEmpty();
        assertThat(api.send(HttpMethod.GET, "/api/v1/agents", null, otherToken).json().get("agents")).hasSize(1);
    }

    @Test
    void bearerScheme_isCaseInsensitive() {
        var request = ApiFixture.request(HttpMethod.GET, STATUS, null, null);
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "bearer " + api.token);

        assertThat(api.exchange(request).status()).isEqualTo(200);
    }

    @Test
    void failedAttempts_areLimitedPerSource_andResetWithTheClock_whileAValidTokenAlwaysWorks() {
        for (int i = 0; i < ApiHandler.FAILURE_BURST; i++) {
            assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess" + i).status()).isEqualTo(401);
        }

        var limited = api.send(HttpMethod.GET, STATUS, null, "wb_api_guess");
        var right = api.get(STATUS);

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.error()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(Long.parseLong(limited.headers().get(HttpHeaderNames.RETRY_AFTER))).isBetween(1L, 6L);
        assertThat(right.status()).as("a valid token from the same address is honoured").isEqualTo(200);
        assertThat(api.logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("API-429")).hasSize(1);

        api.clock.advance(Duration.ofSeconds(6));
        assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess").status()).isEqualTo(401);
        assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess").status()).isEqualTo(429);

        api.clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < ApiHandler.FAILURE_BURST; i++) {
            assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess" + i).status()).isEqualTo(401);
        }
        assertThat(api.registry.scrape()).contains("writeback_api_rate_limited_total 2.0");
    }

    @Test
    void wrongTokensEvery100ms_fromTheCallersAddress_neverRefuseTheTwoTenantsResets() {
        // the attack of issue 7, finding 2: a guesser shares the address (a NAT, a proxy) of two tenants' callers
        var other = api.store.createTenant("other");
        String otherToken = api.store.createApiToken(other.id(), "other").plaintext();
        int refused = 0;
        for (int i = 0; i < 240; i++) {
            api.send(HttpMethod.GET, STATUS, null, "wb_api_guess" + i);
            int first = api.post(RESET, RESET_BODY).status();
            int second = api.send(HttpMethod.POST, RESET, RESET_BODY, otherToken).status();
            refused += (first == 200 ? 0 : 1) + (second == 200 ? 0 : 1);
            api.clock.advance(Duration.ofMillis(100));
        }
        assertThat(refused).isZero();
        assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess").status()).as("the guesser is limited").isEqualTo(429);
    }

    @Test
    void successfulRequests_doNotUseTheAllowance() {
        for (int i = 0; i < 3 * ApiHandler.FAILURE_BURST; i++) {
            assertThat(api.get(STATUS).status()).isEqualTo(200);
        }
        assertThat(api.send(HttpMethod.GET, STATUS, null, "wb_api_guess").status()).isEqualTo(401);
    }

    @Test
    void refusedToken_isLoggedWithoutTheToken() {
        api.send(HttpMethod.GET, STATUS, null, "wb_api_secret-guess-123");

        assertThat(api.logText()).contains("API-401").doesNotContain("secret-guess-123");
    }
}
