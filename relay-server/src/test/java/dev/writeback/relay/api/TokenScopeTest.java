package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.ApiScope;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenScopeTest {
    private static final String RESET_BODY = "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"N3w-Passw0rd!zebra\"}";
    private static final String SETTINGS_BODY = "{\"enabled\":true,\"allowUnlockWithoutReset\":true}";

    @TempDir
    Path dataDir;

    private ApiFixture api;
    private String operations;
    private AgentRecord agent;

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
        operations = api.store.createApiToken(api.tenant.id(), "sspr", ApiScope.OPERATIONS).plaintext();
        agent = api.store.createAgent(api.tenant.id(), "dc-agent", new byte[] {1, 2, 3});
        api.gateway.connected.add(agent.id());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** One request of the admin-only kind: method, path and JSON body (or null). */
    private record Call(HttpMethod method, String path, String body) {}

    private List<Call> adminCalls() {
        return List.of(
                new Call(HttpMethod.PUT, "/api/v1/writeback/settings", SETTINGS_BODY),
                new Call(HttpMethod.POST, "/api/v1/agents/registration-tokens", null),
                new Call(HttpMethod.GET, "/api/v1/agents", null),
                new Call(HttpMethod.POST, "/api/v1/agents/" + agent.id() + "/rotate-keys", null),
                new Call(HttpMethod.GET, "/api/v1/audit", null),
                new Call(HttpMethod.DELETE, "/api/v1/agents/" + agent.id(), null));
    }

    private ApiFixture.Answer send(Call call, String token) {
        return api.send(call.method(), call.path(), call.body(), token);
    }

    @Test
    void operationsToken_mayResetChangeUnlockAndReadStatus() {
        api.store.updateSettings(api.tenant.id(), true, true);

        assertThat(api.send(HttpMethod.POST, "/api/v1/writeback/password-reset", RESET_BODY, operations).status())
                .isEqualTo(200);
        assertThat(api.send(HttpMethod.POST, "/api/v1/writeback/password-change", "{\"anchor\":\"sam:ada\","
                + "\"currentPassword\":\"0ld-Passw0rd!walrus\",\"newPassword\":\"N3w-Passw0rd!zebra\"}", operations)
                .status()).isEqualTo(200);
        assertThat(api.send(HttpMethod.POST, "/api/v1/writeback/unlock", "{\"anchor\":\"sam:ada\"}", operations)
                .status()).isEqualTo(200);
        assertThat(api.send(HttpMethod.GET, "/api/v1/writeback/status", null, operations).status()).isEqualTo(200);
        assertThat(api.gateway.submitted).hasSize(3);
    }

    @Test
    void operationsToken_adminRoutes_are403NamingTheScopes() {
        for (Call call : adminCalls()) {
            var answer = send(call, operations);

            assertThat(answer.status()).as(call.toString()).isEqualTo(403);
            assertThat(answer.error()).isEqualTo("FORBIDDEN");
            assertThat(answer.json().get("message").asText()).isEqualTo("token scope: operations (expected: admin)");
        }
    }

    @Test
    void operationsToken_adminRoutes_changeNothing() {
        adminCalls().forEach(call -> send(call, operations));

        assertThat(api.store.tenant(api.tenant.id()).orElseThrow().allowUnlockWithoutReset()).isFalse();
        assertThat(api.store.agent(agent.id())).isPresent();
        assertThat(api.gateway.rotated).isEmpty();
        assertThat(api.gateway.disconnected).isEmpty();
        assertThat(api.audit()).isEmpty();
    }

    @Test
    void refusedScope_isLoggedOncePerRequestWithoutTheToken() {
        var answer = api.send(HttpMethod.GET, "/api/v1/audit", null, operations);

        assertThat(answer.status()).isEqualTo(403);
        assertThat(api.logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("API-403")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getLevel().toString()).isEqualTo("INFO");
                    assertThat(e.getFormattedMessage()).contains("GET /api/v1/audit", "scope=operations",
                            "required=admin", "tokenId=");
                    assertThat(e.getMDCPropertyMap()).containsEntry("tenantId", api.tenant.id());
                });
        assertThat(api.logText()).doesNotContain(operations).doesNotContain(operations.substring(7));
        assertThat(answer.text()).doesNotContain(operations);
    }

    @Test
    void refusedScope_isNotAFailedAuthentication() {
        for (int i = 0; i < 3 * ApiHandler.FAILURE_BURST; i++) {
            assertThat(api.send(HttpMethod.GET, "/api/v1/agents", null, operations).status()).isEqualTo(403);
        }

        assertThat(api.send(HttpMethod.GET, "/api/v1/writeback/status", null, operations).status()).isEqualTo(200);
        assertThat(api.send(HttpMethod.GET, "/api/v1/agents", null, api.token).status()).isEqualTo(200);
        assertThat(api.logText()).doesNotContain("API-401").doesNotContain("API-429");
    }

    @Test
    void adminToken_mayUseEveryRoute() {
        assertThat(api.send(HttpMethod.POST, "/api/v1/writeback/password-reset", RESET_BODY, api.token).status())
                .isEqualTo(200);
        assertThat(api.send(HttpMethod.GET, "/api/v1/writeback/status", null, api.token).status()).isEqualTo(200);
        for (Call call : adminCalls()) {
            var answer = send(call, api.token);

            assertThat(answer.status()).as(call.toString()).isBetween(200, 202);
        }
        assertThat(api.store.agent(agent.id())).isEmpty();
    }

    @Test
    void routes_declareTheScopeTheyNeed() {
        assertThat(Route.values()).filteredOn(r -> r.scope() == null).containsExactlyInAnyOrder(
                Route.HEALTH, Route.READY, Route.METRICS, Route.REGISTER);
        assertThat(Route.values()).filteredOn(r -> r.scope() == ApiScope.OPERATIONS).containsExactlyInAnyOrder(
                Route.PASSWORD_RESET, Route.PASSWORD_CHANGE, Route.UNLOCK, Route.LOOKUP, Route.STATUS);
    }
}
