package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.relay.store.AuditRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordOperationsTest {
    private static final String RESET = "/api/v1/writeback/password-reset";
    private static final String CHANGE = "/api/v1/writeback/password-change";
    private static final String UNLOCK = "/api/v1/writeback/unlock";
    private static final String NEW_PASSWORD = "N3w-Passw0rd!zebra";
    private static final String CURRENT_PASSWORD = "0ld-Passw0rd!walrus";

    /** The HTTP status each result code must produce (DESIGN §6), written out rather than read from the enum. */
    private static final Map<ResultCode, Integer> HTTP = new EnumMap<>(Map.ofEntries(
            Map.entry(ResultCode.SUCCESS, 200),
            Map.entry(ResultCode.USER_NOT_FOUND, 422),
            Map.entry(ResultCode.MULTIPLE_MATCHES, 422),
            Map.entry(ResultCode.PROTECTED_ACCOUNT, 422),
            Map.entry(ResultCode.ACCOUNT_DISABLED, 422),
            Map.entry(ResultCode.WRONG_CURRENT_PASSWORD, 422),
            Map.entry(ResultCode.POLICY_VIOLATION, 422),
            Map.entry(ResultCode.ACCESS_DENIED, 422),
            Map.entry(ResultCode.UNLOCK_NOT_ALLOWED, 422),
            Map.entry(ResultCode.ACCOUNT_LOCKED, 422),
            Map.entry(ResultCode.NOT_SUPPORTED, 501),
            Map.entry(ResultCode.WRITEBACK_DISABLED, 503),
            Map.entry(ResultCode.AGENT_OFFLINE, 503),
            Map.entry(ResultCode.BUSY, 503),
            Map.entry(ResultCode.DIRECTORY_UNAVAILABLE, 503),
            Map.entry(ResultCode.EXPIRED, 504),
            Map.entry(ResultCode.REJECTED_MESSAGE, 502),
            Map.entry(ResultCode.TIMEOUT, 504),
            Map.entry(ResultCode.OUTCOME_UNKNOWN, 504),
            Map.entry(ResultCode.INTERNAL_ERROR, 500)));

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

    private static String resetBody() {
        return "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"" + NEW_PASSWORD + "\"}";
    }

    @Test
    void passwordReset_success_answersOutcomeAndSubmitsSealedRequest() {
        var answer = api.post(RESET, resetBody());

        assertThat(answer.status()).isEqualTo(200);
        var submitted = api.gateway.last();
        assertThat(submitted.tenantId()).isEqualTo(api.tenant.id());
        assertThat(answer.json().get("requestId").asText()).isEqualTo(submitted.requestId().toString());
        assertThat(answer.headers().get("X-Request-Id")).isEqualTo(submitted.requestId().toString());
        assertThat(answer.json().get("result").asText()).isEqualTo("SUCCESS");
        assertThat(answer.json().get("reason").isNull()).isTrue();
        assertThat(answer.json().get("message").asText()).isEqualTo("Your password has been changed.");
        assertThat(answer.json().get("agentId").asText()).isEqualTo("agent-1");
        assertThat(answer.json().has("durationMillis")).isTrue();
        assertThat(answer.json().has("diagnostic")).isFalse();
        assertThat(answer.text()).doesNotContain("dc1.corp.example");
        assertThat(answer.headers().get("Content-Type")).isEqualTo("application/json");
        assertThat(answer.headers().get("Cache-Control")).isEqualTo("no-store");
        var request = submitted.request();
        assertThat(request.operation()).isEqualTo(Operation.RESET);
        assertThat(request.anchor()).isEqualTo(new Anchor(Anchor.Type.UPN, "ada@corp.example"));
        assertThat(request.unlock()).isTrue();
        assertThat(request.forceChangeAtNextLogon()).isFalse();
        assertThat(request.issuedAt()).isEqualTo(ApiFixture.START);
        assertThat(Duration.between(request.issuedAt(), request.expiresAt())).isEqualTo(Duration.ofSeconds(15));
        assertThat(request.currentPassword()).isEmpty();
    }

    @Test
    void passwordReset_options_arePassedOn() {
        api.post(RESET, "{\"anchor\":\"sam:ada\",\"newPassword\":\"x\",\"unlock\":false,"
                + "\"forceChangeAtNextLogon\":true,\"timeoutSeconds\":30}");

        var request = api.gateway.last().request();
        assertThat(request.unlock()).isFalse();
        assertThat(request.forceChangeAtNextLogon()).isTrue();
        assertThat(Duration.between(request.issuedAt(), request.expiresAt())).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void timeoutSeconds_overMaximum_isClamped() {
        api.post(RESET, "{\"anchor\":\"sam:ada\",\"newPassword\":\"x\",\"timeoutSeconds\":600}");

        var request = api.gateway.last().request();
        assertThat(Duration.between(request.issuedAt(), request.expiresAt())).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void passwordChange_success_carriesBothPasswords() {
        var answer = api.post(CHANGE, "{\"anchor\":\"guid:0f8fad5b-d9cb-469f-a165-70867728950e\",\"currentPassword\":\""
                + CURRENT_PASSWORD + "\",\"newPassword\":\"" + NEW_PASSWORD + "\"}");

        assertThat(answer.status()).isEqualTo(200);
        var request = api.gateway.last().request();
        assertThat(request.operation()).isEqualTo(Operation.CHANGE);
        assertThat(request.anchor().type()).isEqualTo(Anchor.Type.GUID);
        assertThat(request.currentPassword()).isPresent();
        assertThat(request.newPassword()).isPresent();
    }

    @Test
    void unlock_allowedByTenant_isSubmitted() {
        api.store.updateSettings(api.tenant.id(), true, true);

        var answer = api.post(UNLOCK, "{\"anchor\":\"dn:CN=Ada,DC=corp,DC=example\"}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(api.gateway.last().request().operation()).isEqualTo(Operation.UNLOCK);
    }

    @Test
    void unlock_notAllowedByTenant_answersUnlockNotAllowedWithoutContactingAgents() {
        var answer = api.post(UNLOCK, "{\"anchor\":\"sam:ada\"}");

        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.json().get("result").asText()).isEqualTo("UNLOCK_NOT_ALLOWED");
        assertThat(api.gateway.submitted).isEmpty();
        assertThat(api.audit()).singleElement().satisfies(r -> {
            assertThat(r.operation()).isEqualTo("UNLOCK");
            assertThat(r.result()).isEqualTo("UNLOCK_NOT_ALLOWED");
        });
    }

    @Test
    void writebackDisabled_answers503WithoutContactingAgents() {
        api.store.updateSettings(api.tenant.id(), false, true);

        var reset = api.post(RESET, resetBody());
        var unlock = api.post(UNLOCK, "{\"anchor\":\"sam:ada\"}");

        assertThat(reset.status()).isEqualTo(503);
        assertThat(reset.json().get("result").asText()).isEqualTo("WRITEBACK_DISABLED");
        assertThat(reset.json().get("retrySafe").asBoolean()).isTrue();
        assertThat(reset.json().get("message").asText())   // the shared user text, as the portal shows it
                .isEqualTo(dev.writeback.protocol.UserMessages.result(ResultCode.WRITEBACK_DISABLED))
                .isEqualTo("Password reset is turned off right now. Please contact your help desk.");
        assertThat(unlock.json().get("result").asText()).isEqualTo("WRITEBACK_DISABLED");
        assertThat(api.gateway.submitted).isEmpty();
        assertThat(api.audit()).extracting(AuditRecord::result).containsExactly("WRITEBACK_DISABLED", "WRITEBACK_DISABLED");
    }

    @Test
    void resultCodeTable_coversEveryCode() {
        assertThat(HTTP.keySet()).containsExactlyInAnyOrder(ResultCode.values());
    }

    @ParameterizedTest
    @EnumSource(ResultCode.class)
    void outcome_mapsToHttpStatus(ResultCode code) {
        PolicyReason reason = code == ResultCode.POLICY_VIOLATION ? PolicyReason.HISTORY : PolicyReason.NONE;
        api.gateway.answer = s -> CompletableFuture.completedFuture(FakeGateway.delivery(s, "agent-1",
                new Outcome(code, reason, "user text", "admin text", "corp", "dc1", 3)));

        var answer = api.post(RESET, resetBody());

        assertThat(answer.status()).isEqualTo(HTTP.get(code));
        assertThat(answer.json().get("result").asText()).isEqualTo(code.name());
        assertThat(answer.json().get("message").asText()).isEqualTo("user text");
        assertThat(answer.json().get("retrySafe").asBoolean()).isEqualTo(code.retrySafe());
        if (code == ResultCode.POLICY_VIOLATION) {
            assertThat(answer.json().get("reason").asText()).isEqualTo("HISTORY");
        }
    }

    @Test
    void retrySafe_isWhatTheGatewayDecided_notTheCodesDefault() {
        // TIMEOUT before any agent accepted: nothing was applied, though a TIMEOUT result from an agent would not say so.
        api.gateway.answer = s -> CompletableFuture.completedFuture(new Delivery(s.requestId(), "agent-1",
                Outcome.of(ResultCode.TIMEOUT, "agent-1 did not accept the request before the deadline"), true));

        var answer = api.post(RESET, resetBody());

        assertThat(answer.json().get("result").asText()).isEqualTo("TIMEOUT");
        assertThat(answer.json().get("retrySafe").asBoolean()).isTrue();
        assertThat(ResultCode.TIMEOUT.retrySafe()).isFalse();
    }

    @Test
    void outcome_isAuditedWithDiagnosticButNoPassword() {
        api.gateway.answer = s -> CompletableFuture.completedFuture(FakeGateway.delivery(s, "agent-7",
                new Outcome(ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY, "Choose a password you have not used.",
                        "0000052D: Constraint violation (history)", "corp", "dc1", 12)));
        api.clock.advance(Duration.ZERO);

        var answer = api.post(RESET, resetBody());

        assertThat(answer.text()).doesNotContain("0000052D");
        AuditRecord r = api.audit().get(0);
        assertThat(r.requestId()).isEqualTo(answer.json().get("requestId").asText());
        assertThat(r.actor()).isNotBlank().doesNotContain(api.token);
        assertThat(r.operation()).isEqualTo("RESET");
        assertThat(r.anchor()).isEqualTo("upn:ada@corp.example");
        assertThat(r.result()).isEqualTo("POLICY_VIOLATION");
        assertThat(r.reason()).isEqualTo("HISTORY");
        assertThat(r.agentId()).isEqualTo("agent-7");
        assertThat(r.detail()).isEqualTo("0000052D: Constraint violation (history)");
    }

    @Test
    void pendingOutcome_answersOnCompletionAndMeasuresDuration() {
        var pending = new CompletableFuture<Delivery>();
        api.gateway.answer = s -> pending;

        assertThat(api.post(RESET, resetBody())).isNull();
        api.clock.advance(Duration.ofMillis(1234));
        var s = api.gateway.last();
        pending.complete(FakeGateway.delivery(s, "agent-1", Outcome.of(ResultCode.OUTCOME_UNKNOWN, "unknown", "lost")));
        var answer = api.read();

        assertThat(answer.status()).isEqualTo(504);
        assertThat(answer.json().get("durationMillis").asLong()).isEqualTo(1234);
        assertThat(api.audit().get(0).durationMillis()).isEqualTo(1234);
    }

    @Test
    void secrets_areWipedOnlyAfterCompletion() {
        var pending = new CompletableFuture<Delivery>();
        api.gateway.answer = s -> pending;
        api.post(CHANGE, "{\"anchor\":\"sam:ada\",\"currentPassword\":\"" + CURRENT_PASSWORD + "\",\"newPassword\":\""
                + NEW_PASSWORD + "\"}");
        var s = api.gateway.last();
        var newPassword = s.request().newPassword().orElseThrow();
        var currentPassword = s.request().currentPassword().orElseThrow();

        assertThat(newPassword.isDestroyed()).isFalse();
        assertThat(new String(newPassword.reveal())).isEqualTo(NEW_PASSWORD);
        pending.complete(FakeGateway.delivery(s, "agent-1", Outcome.of(ResultCode.SUCCESS, "ok", "")));

        assertThat(api.read().status()).isEqualTo(200);
        assertThat(newPassword.isDestroyed()).isTrue();
        assertThat(currentPassword.isDestroyed()).isTrue();
    }

    @Test
    void gatewayFailure_answersInternalErrorAndWipes() {
        api.gateway.answer = s -> CompletableFuture.failedFuture(new IllegalStateException("boom"));

        var answer = api.post(RESET, resetBody());

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.json().get("result").asText()).isEqualTo("INTERNAL_ERROR");
        assertThat(api.gateway.last().request().newPassword().orElseThrow().isDestroyed()).isTrue();
    }

    @Test
    void gatewayThrowing_answers500WithRequestIdAndWipes() {
        api.gateway.answer = s -> {
            throw new IllegalStateException("bug");
        };

        var answer = api.post(RESET, resetBody());

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.json().get("error").asText()).isEqualTo("INTERNAL_ERROR");
        assertThat(answer.json().get("requestId").asText()).isEqualTo(answer.headers().get("X-Request-Id"));
        assertThat(api.gateway.last().request().newPassword().orElseThrow().isDestroyed()).isTrue();
        assertThat(api.logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("API-500")).hasSize(1);
    }

    @Test
    void operation_logsOneInfoLineWithEventIdAndMdc() {
        var answer = api.post(RESET, resetBody());

        var lines = api.logs.list.stream().filter(e -> e.getFormattedMessage().startsWith("API-200")).toList();
        assertThat(lines).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).startsWith("API-200 password-reset result=SUCCESS reason=null requestId="
                    + answer.json().get("requestId").asText() + " tenant=" + api.tenant.id() + " agent=agent-1 millis=");
            assertThat(e.getMDCPropertyMap()).containsEntry("requestId", answer.json().get("requestId").asText())
                    .containsEntry("tenantId", api.tenant.id());
        });
    }

    @Test
    void operations_countedInMetrics() {
        api.post(RESET, resetBody());

        assertThat(api.registry.scrape()).contains("writeback_api_operations_total{operation=\"password-reset\",result=\"SUCCESS\"} 1.0")
                .contains("writeback_api_operation_duration_seconds_count{operation=\"password-reset\"} 1");
    }

    // ---- malformed bodies: 400 naming the field

    private ApiFixture.Answer rejected(String path, String body, String field) {
        var answer = api.post(path, body);
        assertThat(answer.status()).as(body).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("INVALID_REQUEST");
        assertThat(answer.json().get("field").asText()).isEqualTo(field);
        assertThat(answer.json().get("message").asText()).startsWith(field);
        assertThat(api.gateway.submitted).isEmpty();
        return answer;
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "\"text\"", "{\"anchor\":", "{} {}", "{\"anchor\":\"sam:a\",}"})
    void body_notOneJsonObject_isRejected(String body) {
        rejected(RESET, body, "body");
    }

    @Test
    void body_empty_isRejected() {
        rejected(RESET, "", "body");
    }

    @Test
    void anchor_missing_isRejectedWithExpectedMessage() {
        var answer = rejected(RESET, "{\"newPassword\":\"" + NEW_PASSWORD + "\"}", "anchor");
        assertThat(answer.json().get("message").asText()).isEqualTo("anchor: missing (expected: a string such as upn:ada@corp.example)");
    }

    @Test
    void newPassword_missing_isRejectedWithExpectedMessage() {
        var answer = rejected(RESET, "{\"anchor\":\"sam:ada\"}", "newPassword");
        assertThat(answer.json().get("message").asText()).isEqualTo("newPassword: missing (expected: a string)");
    }

    @Test
    void currentPassword_missing_isRejected() {
        rejected(CHANGE, "{\"anchor\":\"sam:ada\",\"newPassword\":\"x\"}", "currentPassword");
    }

    @Test
    void anchor_badPrefix_isRejected() {
        var answer = rejected(RESET, "{\"anchor\":\"mail:ada@corp.example\",\"newPassword\":\"x\"}", "anchor");
        assertThat(answer.json().get("message").asText()).contains("expected: guid, upn, sam, uid, dn or id");
    }

    @Test
    void anchor_noPrefixOrEmptyValue_isRejected() {
        rejected(RESET, "{\"anchor\":\"ada\",\"newPassword\":\"x\"}", "anchor");
        rejected(RESET, "{\"anchor\":\"upn:\",\"newPassword\":\"x\"}", "anchor");
    }

    @Test
    void wrongTypes_areRejectedNamingTheField() {
        rejected(RESET, "{\"anchor\":42,\"newPassword\":\"x\"}", "anchor");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":[\"x\"]}", "newPassword");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":null}", "newPassword");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"unlock\":\"yes\"}", "unlock");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"forceChangeAtNextLogon\":1}", "forceChangeAtNextLogon");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"timeoutSeconds\":1.5}", "timeoutSeconds");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"timeoutSeconds\":0}", "timeoutSeconds");
        var answer = rejected(RESET, "{\"anchor\":{},\"newPassword\":\"x\"}", "anchor");
        assertThat(answer.json().get("message").asText()).isEqualTo("anchor: an object (expected: a string)");
    }

    @Test
    void unknownOrRepeatedField_isRejected() {
        rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\",\"password\":\"x\"}", "password");
        rejected(UNLOCK, "{\"anchor\":\"sam:a\",\"newPassword\":\"x\"}", "newPassword");
        rejected(CHANGE, "{\"anchor\":\"sam:a\",\"currentPassword\":\"x\",\"newPassword\":\"x\",\"unlock\":true}", "unlock");
        rejected(RESET, "{\"anchor\":\"sam:a\",\"anchor\":\"sam:b\",\"newPassword\":\"x\"}", "anchor");
    }

    @Test
    void password_emptyOrOversized_isRejected() {
        var empty = rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"\"}", "newPassword");
        assertThat(empty.json().get("message").asText()).isEqualTo("newPassword: empty (expected: 1 to 256 characters)");
        char[] long257 = new char[257];
        Arrays.fill(long257, 'a');
        var tooLong = rejected(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"" + new String(long257) + "\"}", "newPassword");
        assertThat(tooLong.json().get("message").asText()).isEqualTo("newPassword length: 257 (expected: <= 256)");
        rejected(CHANGE, "{\"anchor\":\"sam:a\",\"currentPassword\":\"\",\"newPassword\":\"x\"}", "currentPassword");
    }

    @Test
    void password_of256Characters_isAccepted() {
        char[] max = new char[256];
        Arrays.fill(max, 'a');
        var answer = api.post(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"" + new String(max) + "\"}");
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void password_withEscapesAndUnicode_arrivesIntact() {
        api.gateway.answer = s -> {
            assertThat(new String(s.request().newPassword().orElseThrow().reveal())).isEqualTo("a\"b\\c\u00e9\ud83d\ude00");
            return CompletableFuture.completedFuture(FakeGateway.delivery(s, "a", Outcome.of(ResultCode.SUCCESS, "ok", "")));
        };
        var answer = api.post(RESET, "{\"anchor\":\"sam:a\",\"newPassword\":\"a\\\"b\\\\c\u00e9\\ud83d\\ude00\"}");
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void rejectedBody_echoesNoPassword() {
        var answer = rejected(RESET, "{\"anchor\":\"nope\",\"newPassword\":\"" + NEW_PASSWORD + "\"}", "anchor");
        var garbled = rejected(RESET, "{\"newPassword\":\"" + NEW_PASSWORD + "\" oops}", "body");
        assertThat(answer.text() + garbled.text() + api.logText()).doesNotContain(NEW_PASSWORD);
    }

    @Test
    void passwordsAndTokens_neverReachLogsAuditOrDatabase() {
        String registrationToken = api.store.createRegistrationToken(api.tenant.id()).plaintext();
        api.post(RESET, resetBody());
        api.post(CHANGE, "{\"anchor\":\"sam:ada\",\"currentPassword\":\"" + CURRENT_PASSWORD + "\",\"newPassword\":\""
                + NEW_PASSWORD + "\"}");
        api.post(RESET, "{\"anchor\":\"sam:ada\",\"newPassword\":\"" + NEW_PASSWORD + "\",\"bogus\":1}");
        api.send(io.netty.handler.codec.http.HttpMethod.POST, RESET, resetBody(), "wb_api_wrong-" + NEW_PASSWORD);
        api.send(io.netty.handler.codec.http.HttpMethod.POST, "/agent/v1/register",
                "{\"token\":\"" + registrationToken + "x\",\"name\":\"n\",\"identityPublicKey\":\"AA==\","
                        + "\"encryptionPublicKey\":\"AA==\"}", null);

        String audit = api.audit().toString();
        String logs = api.logText();
        byte[] db = api.databaseBytes();
        for (String secret : new String[] {NEW_PASSWORD, CURRENT_PASSWORD, api.token, registrationToken}) {
            assertThat(logs).doesNotContain(secret);
            assertThat(audit).doesNotContain(secret);
            assertThat(ApiFixture.contains(db, secret)).as("database holds a secret").isFalse();
        }
        assertThat(api.audit()).hasSize(2);
    }
}
