package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.relay.agent.LiveAgent;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.AuditRecord;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantAdminTest {
    private static final String STATUS = "/api/v1/writeback/status";
    private static final String SETTINGS = "/api/v1/writeback/settings";

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

    /** Registers an agent one second after the previous one, so listing order is registration order. */
    private AgentRecord agent(String name) {
        api.clock.advance(Duration.ofSeconds(1));
        return api.store.createAgent(api.tenant.id(), name, new byte[] {1, 2, 3});
    }

    private static LiveAgent live(AgentRecord agent, boolean overdue, boolean reachable) {
        var directory = new DirectoryStatus("corp", "active-directory", reachable, reachable ? "dc1:636" : "", 4, true,
                reachable ? "" : "no domain controller answers");
        return new LiveAgent(agent.id(), "s-" + agent.name(), "192.0.2.7", ApiFixture.START,
                ApiFixture.START.plusSeconds(60), overdue, "1.2.3", 2, 1, List.of(directory));
    }

    private String state() {
        return api.get(STATUS).json().get("state").asText();
    }

    @Test
    void status_withoutAgents_isNotConfigured() {
        var json = api.get(STATUS).json();

        assertThat(json.get("state").asText()).isEqualTo("NOT_CONFIGURED");
        assertThat(json.get("enabled").asBoolean()).isTrue();
        assertThat(json.get("allowUnlockWithoutReset").asBoolean()).isFalse();
        assertThat(json.get("agents")).isEmpty();
    }

    @Test
    void status_noneConnected_isDown() {
        agent("a");

        assertThat(state()).isEqualTo("DOWN");
    }

    @Test
    void status_allConnectedAndHealthy_isUp() {
        var a = agent("a");
        var b = agent("b");
        api.gateway.live.add(live(a, false, true));
        api.gateway.live.add(live(b, false, true));

        assertThat(state()).isEqualTo("UP");
    }

    @Test
    void status_oneOffline_isDegraded() {
        var a = agent("a");
        agent("b");
        api.gateway.live.add(live(a, false, true));

        assertThat(state()).isEqualTo("DEGRADED");
    }

    @Test
    void status_disconnectedWithinGrace_isReconnectingAndNotDegraded() {
        var a = agent("a");
        var b = agent("b");
        api.store.touchAgent(b.id(), ApiFixture.START, "1.2.3");
        api.gateway.live.add(live(a, false, true));
        api.clock.advance(Duration.ofMinutes(1));

        var json = api.get(STATUS).json();
        assertThat(json.get("state").asText()).isEqualTo("UP");
        assertThat(agentNamed(json, "b").get("state").asText()).isEqualTo("RECONNECTING");

        api.clock.advance(Duration.ofMinutes(2));
        assertThat(state()).isEqualTo("DEGRADED");
    }

    @Test
    void status_heartbeatOverdue_isDegraded() {
        api.gateway.live.add(live(agent("a"), true, true));

        assertThat(state()).isEqualTo("DEGRADED");
    }

    @Test
    void status_directoryUnreachable_isDegraded() {
        api.gateway.live.add(live(agent("a"), false, false));

        assertThat(state()).isEqualTo("DEGRADED");
    }

    @Test
    void status_mergesStoreAndLiveSessions() {
        var a = agent("a");
        api.gateway.live.add(live(a, false, true));
        api.gateway.live.add(new LiveAgent(a.id(), "s-2", "192.0.2.8", ApiFixture.START, null, false, "1.2.3", 2, 3,
                List.of()));
        api.gateway.live.add(new LiveAgent("someone-else", "s-3", "192.0.2.9", ApiFixture.START, null, false, "9", 1, 0,
                List.of()));

        var json = api.get(STATUS).json();

        assertThat(json.get("agents")).hasSize(1);
        JsonNode agent = json.get("agents").get(0);
        assertThat(agent.get("agentId").asText()).isEqualTo(a.id());
        assertThat(agent.get("name").asText()).isEqualTo("a");
        assertThat(agent.get("connected").asBoolean()).isTrue();
        assertThat(agent.get("sessions").asInt()).isEqualTo(2);
        assertThat(agent.get("inFlight").asInt()).isEqualTo(4);
        assertThat(agent.get("lastHeartbeat").asText()).isEqualTo(ApiFixture.START.plusSeconds(60).toString());
        assertThat(agent.get("heartbeatOverdue").asBoolean()).isFalse();
        assertThat(agent.get("version").asText()).isEqualTo("1.2.3");
        assertThat(agent.get("keyVersion").asInt()).isEqualTo(2);
        assertThat(agent.get("directories").get(0).get("name").asText()).isEqualTo("corp");
        assertThat(agent.get("directories").get(0).get("reachable").asBoolean()).isTrue();
    }

    private static JsonNode agentNamed(JsonNode status, String name) {
        for (JsonNode agent : status.get("agents")) {
            if (agent.get("name").asText().equals(name)) {
                return agent;
            }
        }
        throw new AssertionError("no agent " + name);
    }

    @Test
    void settings_replacesAndAudits() {
        var answer = api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":false,\"allowUnlockWithoutReset\":true}", api.token);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("enabled").asBoolean()).isFalse();
        assertThat(answer.json().get("allowUnlockWithoutReset").asBoolean()).isTrue();
        var tenant = api.store.tenant(api.tenant.id()).orElseThrow();
        assertThat(tenant.enabled()).isFalse();
        assertThat(tenant.allowUnlockWithoutReset()).isTrue();
        assertThat(api.audit()).extracting(AuditRecord::operation).containsExactly("SETTINGS");
        assertThat(api.gateway.rotated).isEmpty();
    }

    @Test
    void settings_reEnabling_rotatesKeysOfConnectedAgents() {
        var a = agent("a");
        var b = agent("b");
        api.gateway.live.add(live(a, false, true));
        api.gateway.live.add(live(a, false, true));
        api.gateway.live.add(live(b, false, true));
        api.gateway.connected.addAll(List.of(a.id(), b.id()));
        api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":false,\"allowUnlockWithoutReset\":false}", api.token);
        assertThat(api.gateway.rotated).isEmpty();

        var answer = api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":true,\"allowUnlockWithoutReset\":false}", api.token);

        assertThat(api.gateway.rotated).containsExactly(a.id(), b.id());
        assertThat(answer.json().get("keysRotating")).hasSize(2);
        api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":true,\"allowUnlockWithoutReset\":true}", api.token);
        assertThat(api.gateway.rotated).hasSize(2);
    }

    @Test
    void settings_malformed_isRejectedNamingTheField() {
        var missing = api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":true}", api.token);
        var wrongType = api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":\"true\",\"allowUnlockWithoutReset\":true}", api.token);
        var unknown = api.send(HttpMethod.PUT, SETTINGS, "{\"enabled\":true,\"allowUnlockWithoutReset\":true,\"x\":1}", api.token);

        assertThat(missing.json().get("field").asText()).isEqualTo("allowUnlockWithoutReset");
        assertThat(wrongType.json().get("field").asText()).isEqualTo("enabled");
        assertThat(unknown.json().get("field").asText()).isEqualTo("x");
        assertThat(api.store.tenant(api.tenant.id()).orElseThrow().enabled()).isTrue();
    }

    @Test
    void registrationToken_isOneTimeAndExpiresInAnHour() {
        var answer = api.post("/api/v1/agents/registration-tokens", null);

        assertThat(answer.status()).isEqualTo(200);
        String token = answer.json().get("token").asText();
        assertThat(token).startsWith("wb_reg_");
        assertThat(Instant.parse(answer.json().get("expiresAt").asText())).isEqualTo(ApiFixture.START.plus(Duration.ofHours(1)));
        assertThat(api.audit()).extracting(AuditRecord::operation).containsExactly("REGISTRATION_TOKEN_CREATED");
        assertThat(api.audit().toString() + api.logText()).doesNotContain(token);
        assertThat(api.store.consumeRegistrationToken(token)).contains(api.tenant.id());
        assertThat(api.store.consumeRegistrationToken(token)).isEmpty();
    }

    @Test
    void agents_listsRegisteredAgentsWithConnection() {
        var a = agent("a");
        var b = agent("b");
        api.gateway.live.add(live(a, false, true));

        var agents = api.get("/api/v1/agents").json().get("agents");

        assertThat(agents).hasSize(2);
        assertThat(agents.get(0).get("agentId").asText()).isEqualTo(a.id());
        assertThat(agents.get(0).get("connected").asBoolean()).isTrue();
        assertThat(agents.get(0).get("sessions").asInt()).isEqualTo(1);
        assertThat(agents.get(1).get("agentId").asText()).isEqualTo(b.id());
        assertThat(agents.get(1).get("state").asText()).isEqualTo("OFFLINE");
    }

    @Test
    void deleteAgent_removesDisconnectsAndAudits() {
        var a = agent("a");

        var answer = api.send(HttpMethod.DELETE, "/api/v1/agents/" + a.id(), null, api.token);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("deleted").asBoolean()).isTrue();
        assertThat(api.store.agent(a.id())).isEmpty();
        assertThat(api.gateway.disconnected).containsExactly(a.id());
        assertThat(api.audit()).singleElement().satisfies(r -> {
            assertThat(r.operation()).isEqualTo("AGENT_DELETED");
            assertThat(r.agentId()).isEqualTo(a.id());
        });
    }

    @Test
    void agentOfAnotherTenant_looksMissing() {
        var other = api.store.createTenant("other");
        var foreign = api.store.createAgent(other.id(), "theirs", new byte[] {1});

        var delete = api.send(HttpMethod.DELETE, "/api/v1/agents/" + foreign.id(), null, api.token);
        var missing = api.send(HttpMethod.DELETE, "/api/v1/agents/0f8fad5b-d9cb-469f-a165-70867728950e", null, api.token);
        var rotate = api.post("/api/v1/agents/" + foreign.id() + "/rotate-keys", null);

        assertThat(delete.status()).isEqualTo(404);
        assertThat(rotate.status()).isEqualTo(404);
        assertThat(delete.json().get("error")).isEqualTo(missing.json().get("error"));
        assertThat(api.store.agent(foreign.id())).isPresent();
        assertThat(api.gateway.disconnected).isEmpty();
    }

    @Test
    void rotateKeys_connected_is202_disconnected_is409() {
        var a = agent("a");
        var b = agent("b");
        api.gateway.connected.add(a.id());

        var started = api.post("/api/v1/agents/" + a.id() + "/rotate-keys", null);
        var offline = api.post("/api/v1/agents/" + b.id() + "/rotate-keys", null);

        assertThat(started.status()).isEqualTo(202);
        assertThat(started.json().get("started").asBoolean()).isTrue();
        assertThat(offline.status()).isEqualTo(409);
        assertThat(offline.error()).isEqualTo("AGENT_NOT_CONNECTED");
        assertThat(api.gateway.rotated).containsExactly(a.id());
    }

    @Test
    void audit_defaultsToLast24Hours() {
        api.post("/api/v1/agents/registration-tokens", null);
        api.clock.advance(Duration.ofHours(25));
        api.post("/api/v1/agents/registration-tokens", null);

        var records = api.get("/api/v1/audit").json().get("records");

        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("operation").asText()).isEqualTo("REGISTRATION_TOKEN_CREATED");
        assertThat(records.get(0).get("time").asText()).isEqualTo(ApiFixture.START.plus(Duration.ofHours(25)).toString());
    }

    @Test
    void audit_sinceAndLimit() {
        for (int i = 0; i < 3; i++) {
            api.post("/api/v1/agents/registration-tokens", null);
            api.clock.advance(Duration.ofSeconds(1));
        }

        var page = api.get("/api/v1/audit?since=" + ApiFixture.START + "&limit=2").json();
        var rest = api.get("/api/v1/audit?since=" + page.get("nextSince").asText()).json();

        assertThat(page.get("records")).hasSize(2);
        assertThat(rest.get("records")).hasSize(2);
        assertThat(rest.get("nextSince").isNull()).isTrue();
    }

    @Test
    void audit_badQuery_isRejectedNamingTheParameter() {
        assertThat(api.get("/api/v1/audit?since=yesterday").json().get("field").asText()).isEqualTo("since");
        assertThat(api.get("/api/v1/audit?limit=0").json().get("field").asText()).isEqualTo("limit");
        assertThat(api.get("/api/v1/audit?limit=1001").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/audit?limit=ten").status()).isEqualTo(400);
    }

    @Test
    void audit_showsOnlyTheCallersTenant() {
        var other = api.store.createTenant("other");
        String otherToken = api.store.createApiToken(other.id(), "x").plaintext();
        api.send(HttpMethod.POST, "/api/v1/agents/registration-tokens", null, otherToken);

        assertThat(api.get("/api/v1/audit").json().get("records")).isEmpty();
    }
}
