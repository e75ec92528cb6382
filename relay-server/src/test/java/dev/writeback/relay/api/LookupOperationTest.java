package dev.writeback.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.portal.WritebackState;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LOOKUP REST route and the portal's in-process seam, over a real store and a fake gateway. */
class LookupOperationTest {
    private static final String LOOKUP = "/api/v1/writeback/lookup";
    private static final AccountProfile ADA = new AccountProfile(Anchor.parse("guid:EETj5wZRJ02M7yf24kSkGg=="),
            "Ada Lovelace", true, true, false, false, List.of("ada@corp.example"), List.of(), List.of("+82 10 5555 0100"),
            List.of(), new AccountProfile.Policy(true, 8, true, 24));

    @TempDir
    Path dataDir;

    private ApiFixture api;

    @BeforeEach
    void start() {
        api = new ApiFixture(dataDir);
        api.gateway.answer = s -> CompletableFuture.completedFuture(FakeGateway.delivery(s, "agent-1",
                new Outcome(ResultCode.SUCCESS, PolicyReason.NONE, "", "dn=CN=Ada", "corp", "dc1", 3, Optional.of(ADA))));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void lookup_sendsTheTypedIdSealed_andAnswersTheProfile() {
        var answer = api.post(LOOKUP, "{\"userId\":\" ada \"}");

        assertThat(answer.status()).isEqualTo(200);
        var request = api.gateway.last().request();
        assertThat(request.operation()).isEqualTo(Operation.LOOKUP);
        assertThat(request.anchor()).hasToString("id:ada");
        assertThat(answer.json().path("result").asText()).isEqualTo("SUCCESS");
        var account = answer.json().path("account");
        assertThat(account.path("anchor").asText()).isEqualTo("guid:EETj5wZRJ02M7yf24kSkGg==");
        assertThat(account.path("locked").asBoolean()).isTrue();
        assertThat(account.path("mail").get(0).asText()).isEqualTo("ada@corp.example");
        assertThat(account.path("policy").path("minLength").asInt()).isEqualTo(8);
        assertThat(api.audit()).anySatisfy(r -> {
            assertThat(r.operation()).isEqualTo("LOOKUP");
            assertThat(r.anchor()).isEqualTo("guid:EETj5wZRJ02M7yf24kSkGg==");
            assertThat(r.toString()).doesNotContain("+82").doesNotContain("ada@corp.example");
        });
    }

    @Test
    void lookup_withoutUserId_isRefusedNamingTheField() {
        var answer = api.post(LOOKUP, "{}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).contains("userId");
        assertThat(api.gateway.submitted).isEmpty();
    }

    @Test
    void resetWithATypedIdAnchor_isRefused() {
        var answer = api.post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"id:ada\",\"newPassword\":\"Fresh-Start-2026\"}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(api.gateway.submitted).isEmpty();
    }

    @Test
    void relayWriteback_routesLookupResetAndUnlockThroughTheGateway() {
        var writeback = new RelayWriteback(api.gateway, api.store, api.clock, Duration.ofSeconds(15));
        String tenant = api.tenant.id();

        var lookup = writeback.lookup(tenant, "ada@corp.example").join();
        assertThat(lookup.code()).isEqualTo(ResultCode.SUCCESS);
        assertThat(lookup.account().anchor()).isEqualTo(ADA.anchor());
        assertThat(lookup.account().policy().minLength()).isEqualTo(8);
        assertThat(lookup.requestId()).isEqualTo(api.gateway.last().requestId().toString());

        try (var password = Secret.of("Fresh-Start-2026")) {
            api.gateway.answer = s -> CompletableFuture.completedFuture(FakeGateway.delivery(s, "agent-1",
                    Outcome.of(ResultCode.SUCCESS, "done", "")));
            var reset = writeback.reset(tenant, ADA.anchor(), password, true).join();
            assertThat(reset.code()).isEqualTo(ResultCode.SUCCESS);
            assertThat(api.gateway.last().request().operation()).isEqualTo(Operation.RESET);
            assertThat(api.gateway.last().request().unlock()).isTrue();
            assertThat(password.length()).isPositive();   // still the portal's to wipe
        }
        assertThat(writeback.unlock(tenant, ADA.anchor()).join().code()).isEqualTo(
                api.tenant.allowUnlockWithoutReset() ? ResultCode.SUCCESS : ResultCode.UNLOCK_NOT_ALLOWED);
        assertThat(writeback.status(tenant).join()).isEqualTo(WritebackState.DOWN);   // no live agent in the fake
    }

    @Test
    void relayWriteback_agentAnswersNotFound_isAFailedLookup() {
        api.gateway.answer = s -> CompletableFuture.completedFuture(FakeGateway.delivery(s, "agent-1",
                Outcome.of(ResultCode.USER_NOT_FOUND, "not found", "")));
        var writeback = new RelayWriteback(api.gateway, api.store, api.clock, Duration.ofSeconds(15));
        var lookup = writeback.lookup(api.tenant.id(), "nobody").join();
        assertThat(lookup.code()).isEqualTo(ResultCode.USER_NOT_FOUND);
        assertThat(lookup.account()).isNull();
        assertThat(writeback.lookup(api.tenant.id(), "   ").join().code()).isEqualTo(ResultCode.USER_NOT_FOUND);
    }
}
