package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.systemtests.Await;
import dev.writeback.systemtests.LoopbackStack;
import dev.writeback.systemtests.RelayClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path against a real AD DC: REST API, relay, sealed message, agent ({@code type: active-directory},
 * LDAPS to Samba), and back. Every effect is checked from the outside with {@link DirectoryProbe}. After all
 * tests, nothing the relay and the agent wrote (logs, audit, files) holds a password that was used.
 *
 * <p>The agent's scopes are Staff and Contractors (the service account holds the delegated rights there) and
 * Restricted, an OU in scope where nothing was delegated, as when an administrator forgot one.
 */
class SambaEndToEndIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @TempDir
    static Path dir;

    static LoopbackStack stack;
    static final Set<String> passwords = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        if (samba.env() == null) {
            return;   // SambaDomain skips each test and says why
        }
        SambaEnv env = samba.env();
        passwords.add(INITIAL_PASSWORD);
        passwords.addAll(env.domainSecrets());
        for (String name : List.of("padmin", "dave", "nochange", "outsider", "alice", "carol")) {
            passwords.add(env.account(name).password());
        }
        stack = LoopbackStack.start(dir);
        stack.agent("agent-samba", env.directoryYaml("STAFF_OU", "CONTRACTORS_OU", "RESTRICTED_OU"));
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        LoopbackStack.stopAndCheckForLeaks(stack, passwords);
    }

    @Test
    void reset_newPasswordBinds_andOldOneFails() throws Exception {
        TestUser user = samba.newUser();
        String pw = newPassword();

        var r = reset("upn:" + user.upn(), pw, "");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.result()).isEqualTo("SUCCESS");
        assertThat(samba.probe().bindFailure(user.dn(), pw)).isEmpty();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 52e"));
        assertThat(stack.logLines(r.requestId())).anySatisfy(line -> assertThat(line)
                .contains("DIR-200 reset applied directory=samba").containsIgnoringCase(samba.env().get("DC_HOST")));
    }

    @Test
    void reset_forceChangeAtNextLogon_setsPwdLastSetToZero() throws Exception {
        TestUser user = samba.newUser();
        String pw = newPassword();

        var r = reset("sam:" + user.sam(), pw, ",\"forceChangeAtNextLogon\":true");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(samba.probe().number(user.dn(), "pwdLastSet")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), pw)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 773"));
    }

    @Test
    void reset_unlocksLockedAccount_unlessUnlockIsFalse() throws Exception {
        TestUser kept = samba.newUser();
        TestUser unlocked = samba.newUser();
        lockOut(kept);
        lockOut(unlocked);
        String keptPassword = newPassword();
        String unlockedPassword = newPassword();

        var withoutUnlock = reset("upn:" + kept.upn(), keptPassword, ",\"unlock\":false");
        var withUnlock = reset("upn:" + unlocked.upn(), unlockedPassword, "");

        assertThat(withoutUnlock.status()).as(withoutUnlock.text()).isEqualTo(200);
        assertThat(samba.probe().number(kept.dn(), "lockoutTime")).isPositive();
        assertThat(samba.probe().bindFailure(kept.dn(), keptPassword)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 775"));
        assertThat(withUnlock.status()).as(withUnlock.text()).isEqualTo(200);
        assertThat(samba.probe().number(unlocked.dn(), "lockoutTime")).isZero();
        assertThat(samba.probe().bindFailure(unlocked.dn(), unlockedPassword)).isEmpty();
    }

    @Test
    void change_withRightCurrentPassword_succeeds() throws Exception {
        TestUser user = samba.newUser();
        String pw = newPassword();

        var r = change("dn:" + user.dn(), INITIAL_PASSWORD, pw);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.result()).isEqualTo("SUCCESS");
        assertThat(samba.probe().bindFailure(user.dn(), pw)).isEmpty();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
    }

    @Test
    void change_withWrongCurrentPassword_isWrongCurrentPassword() throws Exception {
        TestUser user = samba.newUser();
        String wrong = newPassword();

        var r = change("upn:" + user.upn(), wrong, newPassword());

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("WRONG_CURRENT_PASSWORD");
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void change_byUserWhoMustChangeAtNextLogon_works() throws Exception {
        TestUser user = samba.newUser();
        samba.probe().replace(user.dn(), "pwdLastSet", "0");
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 773"));
        String pw = newPassword();

        var r = change("upn:" + user.upn(), INITIAL_PASSWORD, pw);

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(samba.probe().bindFailure(user.dn(), pw)).isEmpty();
        assertThat(samba.probe().number(user.dn(), "pwdLastSet")).isPositive();
    }

    @Test
    void policyViolations_nameTheRule_andLeaveThePasswordAlone() throws Exception {
        TestUser user = samba.newUser();
        String tooShort = remember("Sh0r!t1");
        String simple = remember("onlylowercaseletters");
        String next = newPassword();

        var shortReset = reset("upn:" + user.upn(), tooShort, "");
        var simpleReset = reset("upn:" + user.upn(), simple, "");
        var simpleChange = change("upn:" + user.upn(), INITIAL_PASSWORD, simple);
        assertThat(change("upn:" + user.upn(), INITIAL_PASSWORD, next).status()).isEqualTo(200);
        var historyChange = change("upn:" + user.upn(), next, INITIAL_PASSWORD);

        assertThat(List.of(shortReset, simpleReset, simpleChange, historyChange))
                .extracting(RelayClient.Response::status, RelayClient.Response::result, RelayClient.Response::reason)
                .containsExactly(
                        tuple(422, "POLICY_VIOLATION", "TOO_SHORT"),
                        tuple(422, "POLICY_VIOLATION", "COMPLEXITY"),
                        tuple(422, "POLICY_VIOLATION", "COMPLEXITY"),
                        tuple(422, "POLICY_VIOLATION", "HISTORY"));
        assertThat(samba.probe().bindFailure(user.dn(), next)).isEmpty();
        assertThat(historyChange.json().path("message").asText()).isNotBlank().doesNotContain("0000052D");
    }

    @Test
    void reset_toPasswordInHistory_succeeds_becauseSamba417HasNoPolicyHints() throws Exception {
        TestUser user = samba.newUser();
        assertThat(reset("upn:" + user.upn(), newPassword(), "").status()).isEqualTo(200);

        var r = reset("upn:" + user.upn(), INITIAL_PASSWORD, "");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void unlock_onlyWhenTheTenantAllowsIt() throws Exception {
        TestUser user = samba.newUser();
        lockOut(user);
        samba.afterTest(() -> setAllowUnlockWithoutReset(false));

        setAllowUnlockWithoutReset(false);
        var refused = stack.post("/api/v1/writeback/unlock", "{\"anchor\":\"upn:" + user.upn() + "\"}");
        boolean stillLocked = samba.probe().number(user.dn(), "lockoutTime") > 0;
        setAllowUnlockWithoutReset(true);
        var allowed = stack.post("/api/v1/writeback/unlock", "{\"anchor\":\"upn:" + user.upn() + "\"}");

        assertThat(refused.status()).as(refused.text()).isEqualTo(422);
        assertThat(refused.result()).isEqualTo("UNLOCK_NOT_ALLOWED");
        assertThat(stillLocked).as("locked after the refused unlock").isTrue();
        assertThat(allowed.status()).as(allowed.text()).isEqualTo(200);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isZero();
        assertThat(samba.probe().number(user.dn(), "badPwdCount")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void unknownOrOutOfScopeAccount_isUserNotFound() throws Exception {
        TestUser outsider = samba.env().account("outsider");   // CN=Users: not in any scope
        restoreAfterTest(outsider);

        for (String anchor : List.of("upn:nobody@" + samba.env().get("DNS_DOMAIN"), "upn:" + outsider.upn(),
                "dn:" + outsider.dn(), "guid:" + UUID.randomUUID())) {
            var r = reset(anchor, newPassword(), "");
            assertThat(r.status()).as(anchor + " " + r.text()).isEqualTo(422);
            assertThat(r.result()).as(anchor).isEqualTo("USER_NOT_FOUND");
        }
        assertThat(samba.probe().bindFailure(outsider.dn(), outsider.password())).isEmpty();
    }

    @Test
    void protectedAccount_isRefused() throws Exception {
        TestUser padmin = samba.env().account("padmin");
        restoreAfterTest(padmin);

        var r = reset("upn:" + padmin.upn(), newPassword(), "");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("PROTECTED_ACCOUNT");
        assertThat(samba.probe().bindFailure(padmin.dn(), padmin.password())).isEmpty();
    }

    @Test
    void disabledAccount_isRefused() throws Exception {
        TestUser dave = samba.env().account("dave");
        restoreAfterTest(dave);
        long pwdLastSet = samba.probe().number(dave.dn(), "pwdLastSet");

        var r = reset("sam:" + dave.sam(), newPassword(), "");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("ACCOUNT_DISABLED");
        assertThat(samba.probe().number(dave.dn(), "pwdLastSet")).isEqualTo(pwdLastSet);
    }

    @Test
    void accountWhereNothingWasDelegated_isAccessDenied_andTheAuditSaysWhy() throws Exception {
        TestUser nochange = samba.env().account("nochange");
        restoreAfterTest(nochange);

        var r = reset("upn:" + nochange.upn(), newPassword(), "");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("ACCESS_DENIED");
        assertThat(samba.probe().bindFailure(nochange.dn(), nochange.password())).isEmpty();
        JsonNode record = auditRecord(r.requestId());
        assertThat(record.path("result").asText()).isEqualTo("ACCESS_DENIED");
        assertThat(record.path("detail").asText()).contains("rc=50");
    }

    @Test
    void guidAnchors_asImmutableIdAndUuidText_andConsistencyGuidFirst() throws Exception {
        TestUser user = samba.newUser();
        byte[] objectGuid = samba.probe().objectGuid(user.dn());
        UUID consistency = UUID.randomUUID();
        TestUser contractor = samba.newUserIn(samba.env().get("CONTRACTORS_OU"),
                new Attribute("mS-DS-ConsistencyGuid", Guids.toRaw(consistency)));
        String byBase64 = newPassword();
        String byText = newPassword();
        String byConsistency = newPassword();

        var r1 = reset("guid:" + Guids.base64(objectGuid), byBase64, "");
        boolean base64Bound = samba.probe().bindFailure(user.dn(), byBase64).isEmpty();
        var r2 = reset("guid:" + Guids.toUuid(objectGuid), byText, "");
        var r3 = reset("guid:" + consistency, byConsistency, "");

        assertThat(List.of(r1.result(), r2.result(), r3.result())).as("%s %s %s", r1.text(), r2.text(), r3.text())
                .containsOnly("SUCCESS");
        assertThat(base64Bound).as("bind with the password set by the base64 anchor").isTrue();
        assertThat(samba.probe().bindFailure(user.dn(), byText)).isEmpty();
        assertThat(samba.probe().bindFailure(contractor.dn(), byConsistency)).isEmpty();
    }

    @Test
    void status_showsTheDirectory_withHistoryNotEnforcedOnReset() {
        Await.until("a heartbeat listing the samba directory", Duration.ofSeconds(20),
                () -> directoryStatus().path("name").asText().equals("samba"));

        JsonNode directory = directoryStatus();

        assertThat(directory.path("type").asText()).isEqualTo("active-directory");
        assertThat(directory.path("reachable").asBoolean()).isTrue();
        assertThat(directory.path("historyEnforcedOnReset").asBoolean(true)).isFalse();
        assertThat(directory.path("server").asText()).containsIgnoringCase(samba.env().get("DC_HOST"));
        assertThat(stack.get("/api/v1/writeback/status").json().path("state").asText()).isEqualTo("UP");
        assertThat(stack.logs()).contains("DIR-101").contains("DIR-102 PDC emulator directory=samba");
    }

    private static JsonNode directoryStatus() {
        var status = stack.get("/api/v1/writeback/status");
        assertThat(status.status()).as(status.text()).isEqualTo(200);
        return status.json().path("agents").path(0).path("directories").path(0);
    }

    private static JsonNode auditRecord(String requestId) {
        var audit = stack.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
        for (JsonNode record : audit.json().path("records")) {
            if (record.path("requestId").asText().equals(requestId)) {
                return record;
            }
        }
        throw new AssertionError("no audit record for " + requestId + ": " + audit.text());
    }

    private static RelayClient.Response reset(String anchor, String newPassword, String moreJson) {
        return stack.reset(anchor, newPassword, moreJson);
    }

    private static RelayClient.Response change(String anchor, String currentPassword, String newPassword) {
        return stack.change(anchor, currentPassword, newPassword);
    }

    private static void setAllowUnlockWithoutReset(boolean allow) {
        var r = stack.put("/api/v1/writeback/settings", "{\"enabled\":true,\"allowUnlockWithoutReset\":" + allow + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
    }

    private static void lockOut(TestUser user) throws Exception {
        samba.probe().badBinds(user.dn(), Integer.parseInt(samba.env().get("LOCKOUT_THRESHOLD")));
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).as("locked out").isPositive();
    }

    /** Puts a provisioned account's password back after the test, should a refused reset go through. */
    private static void restoreAfterTest(TestUser account) {
        samba.afterTest(() -> samba.probe().resetPassword(account.dn(), account.password()));
    }

    private static String newPassword() {
        return remember("Wb-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5)) + "-Zz9");
    }

    private static String remember(String password) {
        passwords.add(password);
        return password;
    }
}
