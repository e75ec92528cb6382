package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.IssuedToken;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenAdminTest {
    private static final String TOKENS = "/api/v1/tokens";

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

    private List<JsonNode> tokens() {
        var answer = api.get(TOKENS);
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        var list = new ArrayList<JsonNode>();
        answer.json().get("tokens").forEach(list::add);
        return list;
    }

    private JsonNode token(String id) {
        return tokens().stream().filter(t -> t.get("tokenId").asText().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void list_showsEveryTokenOfTheTenant_neverASecret() {
        IssuedToken portal = api.store.createApiToken(api.tenant.id(), "sspr", ApiScope.OPERATIONS);
        IssuedToken registration = api.store.createRegistrationToken(api.tenant.id());
        var other = api.store.createTenant("other");
        IssuedToken foreign = api.store.createApiToken(other.id(), "theirs");

        var answer = api.get(TOKENS);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.text()).doesNotContain(api.token, portal.plaintext(), registration.plaintext(), foreign.id(),
                "wb_api_", "wb_reg_", "hash");
        JsonNode sspr = token(portal.id());
        assertThat(sspr.get("kind").asText()).isEqualTo("api");
        assertThat(sspr.get("scope").asText()).isEqualTo("operations");
        assertThat(sspr.get("label").asText()).isEqualTo("sspr");
        assertThat(sspr.get("createdAt").asText()).isEqualTo(ApiFixture.START.toString());
        assertThat(sspr.get("lastUsedAt").isNull()).isTrue();
        assertThat(sspr.get("self").asBoolean()).isFalse();
        JsonNode reg = token(registration.id());
        assertThat(reg.get("kind").asText()).isEqualTo("registration");
        assertThat(reg.get("scope").isNull()).isTrue();
        assertThat(reg.get("state").asText()).isEqualTo("active");
        assertThat(reg.get("expiresAt").asText()).isEqualTo(registration.expiresAt().toString());
    }

    @Test
    void list_recordsLastUse_atMostOncePerMinute() {
        api.get(TOKENS);
        String self = tokens().stream().filter(t -> t.get("self").asBoolean()).findFirst().orElseThrow()
                .get("tokenId").asText();
        assertThat(token(self).get("lastUsedAt").asText()).isEqualTo(ApiFixture.START.toString());

        api.clock.advance(Duration.ofSeconds(59));
        assertThat(token(self).get("lastUsedAt").asText()).isEqualTo(ApiFixture.START.toString());

        api.clock.advance(Duration.ofSeconds(2));
        assertThat(token(self).get("lastUsedAt").asText()).isEqualTo(ApiFixture.START.plusSeconds(61).toString());
    }

    @Test
    void revoke_apiToken_isRefusedWith401AtOnce_andAudited() {
        IssuedToken portal = api.store.createApiToken(api.tenant.id(), "sspr", ApiScope.OPERATIONS);
        assertThat(api.send(HttpMethod.GET, "/api/v1/writeback/status", null, portal.plaintext()).status())
                .isEqualTo(200);

        var revoked = api.send(HttpMethod.DELETE, TOKENS + "/" + portal.id(), null, api.token);

        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.json().get("kind").asText()).isEqualTo("api");
        assertThat(api.send(HttpMethod.GET, "/api/v1/writeback/status", null, portal.plaintext()).status())
                .isEqualTo(401);
        assertThat(tokens()).noneMatch(t -> t.get("tokenId").asText().equals(portal.id()));
        assertThat(api.audit()).extracting(AuditRecord::operation).contains("TOKEN_REVOKED");
        assertThat(api.logText()).contains("API-206 token revoked").doesNotContain(portal.plaintext());
    }

    @Test
    void revoke_registrationToken_cannotRegisterAnymore() {
        IssuedToken registration = api.store.createRegistrationToken(api.tenant.id());

        var revoked = api.send(HttpMethod.DELETE, TOKENS + "/" + registration.id(), null, api.token);

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("kind").asText()).isEqualTo("registration");
        assertThat(api.store.consumeRegistrationToken(registration.plaintext())).isEmpty();
    }

    @Test
    void revoke_anotherTenantsToken_isNotFound_andKeepsIt() {
        var other = api.store.createTenant("other");
        IssuedToken foreign = api.store.createApiToken(other.id(), "theirs");

        var answer = api.send(HttpMethod.DELETE, TOKENS + "/" + foreign.id(), null, api.token);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.error()).isEqualTo("TOKEN_NOT_FOUND");
        assertThat(api.store.findApiToken(foreign.plaintext())).isPresent();
    }

    @Test
    void tokenRoutes_needTheAdminScope() {
        IssuedToken operations = api.store.createApiToken(api.tenant.id(), "sspr", ApiScope.OPERATIONS);

        assertThat(api.send(HttpMethod.GET, TOKENS, null, operations.plaintext()).status()).isEqualTo(403);
        assertThat(api.send(HttpMethod.DELETE, TOKENS + "/" + operations.id(), null, operations.plaintext()).status())
                .isEqualTo(403);
        assertThat(api.store.findApiToken(operations.plaintext())).isPresent();
    }
}
