package dev.writeback.systemtests.openldap;

import static dev.writeback.systemtests.openldap.OpenLdapDirectory.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.systemtests.Await;
import dev.writeback.systemtests.EnvFile;
import dev.writeback.systemtests.LoopbackStack;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path against slapd with ppolicy: REST API, relay, sealed message, agent ({@code type: ldap} from an
 * {@code agent.yaml}, LDAPS to slapd), and back. Every effect is checked from the outside with {@link LdapProbe};
 * after all tests, nothing the relay and the agent wrote (logs, audit, files) holds a password that was used.
 */
class OpenLdapEndToEndIT {
    @RegisterExtension
    static final OpenLdapDirectory slapd = new OpenLdapDirectory();

    @TempDir
    static Path dir;

    static LoopbackStack stack;
    static final Set<String> passwords = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        EnvFile env = slapd.env();
        if (env == null) {
            return;   // OpenLdapDirectory skips (or under CI fails) each test and says why
        }
        passwords.addAll(List.of(INITIAL_PASSWORD, env.secret("SERVICE_PASSWORD_FILE"), env.secret("ROOT_PASSWORD_FILE")));
        stack = LoopbackStack.start(dir);
        stack.agent("agent-openldap", slapd.agentYaml());
        var settings = stack.put("/api/v1/writeback/settings", "{\"enabled\":true,\"allowUnlockWithoutReset\":true}");
        assertThat(settings.status()).as(settings.text()).isEqualTo(200);
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        LoopbackStack.stopAndCheckForLeaks(stack, passwords);
    }

    @Test
    void reset_newPasswordBinds_oldFails_andForceChangeSetsPwdReset() throws Exception {
        LdapUser user = slapd.newUser();
        String pw = newPassword();

        var r = stack.reset("upn:" + user.mail(), pw, ",\"forceChangeAtNextLogon\":true");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.result()).isEqualTo("SUCCESS");
        assertThat(slapd.probe().bindFailure(user.dn(), pw)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
        assertThat(slapd.probe().value(user.dn(), "pwdReset")).isEqualTo("TRUE");
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).hasSize(1);
        assertThat(stack.logLines(r.requestId())).anySatisfy(line -> assertThat(line)
                .contains("DIR-200 reset applied directory=openldap"));
    }

    @Test
    void reset_unlocksALockedAccount() throws Exception {
        LdapUser user = slapd.newLockedUser();
        String pw = newPassword();

        var r = stack.reset("sam:" + user.uid(), pw, "");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNull();
        assertThat(slapd.probe().bindFailure(user.dn(), pw)).isEmpty();
    }

    @Test
    void change_withTheRightAndTheWrongCurrentPassword() throws Exception {
        LdapUser user = slapd.newUser();
        String pw = newPassword();

        var wrong = stack.change("dn:" + user.dn(), newPassword(), pw);
        var right = stack.change("dn:" + user.dn(), INITIAL_PASSWORD, pw);

        assertThat(wrong.status()).as(wrong.text()).isEqualTo(422);
        assertThat(wrong.result()).isEqualTo("WRONG_CURRENT_PASSWORD");
        assertThat(right.status()).as(right.text()).isEqualTo(200);
        assertThat(slapd.probe().bindFailure(user.dn(), pw)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
    }

    @Test
    void change_ofALockedAccount_isAccountLocked() throws Exception {
        LdapUser user = slapd.newLockedUser();

        var r = stack.change("upn:" + user.mail(), INITIAL_PASSWORD, newPassword());

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("ACCOUNT_LOCKED");
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNotNull();
    }

    @Test
    void unlock_removesPwdAccountLockedTime() throws Exception {
        LdapUser user = slapd.newLockedUser();

        var r = stack.post("/api/v1/writeback/unlock", "{\"anchor\":\"uid:" + user.uid() + "\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNull();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void policyViolations_nameTheRule() throws Exception {
        LdapUser user = slapd.newUser();
        LdapUser young = slapd.newUser(new Attribute("pwdPolicySubentry", slapd.env().get("MINAGE_POLICY_DN")));

        var tooShort = stack.reset("sam:" + user.uid(), remember("Sh0rt!"), "");
        var history = stack.change("sam:" + user.uid(), INITIAL_PASSWORD, INITIAL_PASSWORD);
        var tooYoung = stack.change("sam:" + young.uid(), INITIAL_PASSWORD, newPassword());

        assertThat(List.of(tooShort, history, tooYoung)).allSatisfy(r -> {
            assertThat(r.status()).as(r.text()).isEqualTo(422);
            assertThat(r.result()).isEqualTo("POLICY_VIOLATION");
            assertThat(r.json().path("message").asText()).isNotBlank();
        });
        assertThat(List.of(tooShort.reason(), history.reason(), tooYoung.reason()))
                .containsExactly("TOO_SHORT", "HISTORY", "MIN_AGE");
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
        assertThat(slapd.probe().bindFailure(young.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void protectedAndOutOfScopeAccounts_areRefused() throws Exception {
        LdapUser padmin = slapd.account("padmin");
        LdapUser outsider = slapd.account("outsider");
        slapd.restoreAfterTest(padmin);
        slapd.restoreAfterTest(outsider);

        var prot = stack.reset("sam:" + padmin.uid(), newPassword(), "");
        var outside = stack.reset("dn:" + outsider.dn(), newPassword(), "");

        assertThat(prot.result()).as(prot.text()).isEqualTo("PROTECTED_ACCOUNT");
        assertThat(outside.result()).as(outside.text()).isEqualTo("USER_NOT_FOUND");
        assertThat(slapd.probe().bindFailure(padmin.dn(), padmin.password())).isEmpty();
        assertThat(slapd.probe().bindFailure(outsider.dn(), outsider.password())).isEmpty();
    }

    @Test
    void status_showsTheDirectoryAndItsPasswordPolicy() {
        Await.until("a heartbeat with the openldap password policy", Duration.ofSeconds(20),
                () -> directoryStatus().path("passwordPolicy").asText().contains("minLength="));

        JsonNode directory = directoryStatus();

        assertThat(directory.path("name").asText()).isEqualTo("openldap");
        assertThat(directory.path("type").asText()).isEqualTo("ldap");
        assertThat(directory.path("reachable").asBoolean()).isTrue();
        assertThat(directory.path("passwordPolicy").asText()).contains(
                "minLength=" + slapd.env().get("MIN_PASSWORD_LENGTH"), "history=" + slapd.env().get("HISTORY_LENGTH"),
                "lockoutAfter=" + slapd.env().get("MAX_FAILURE"));
    }

    private static JsonNode directoryStatus() {
        var status = stack.get("/api/v1/writeback/status");
        assertThat(status.status()).as(status.text()).isEqualTo(200);
        return status.json().path("agents").path(0).path("directories").path(0);
    }

    private static String newPassword() {
        return remember("Wb-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(5)) + "-Zz9");
    }

    private static String remember(String password) {
        passwords.add(password);
        return password;
    }
}
