package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.agent.directory.DirectoryHealth;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Administrator-style resets (SSPR) through the agent's directory layer against Samba AD. */
class SambaResetIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void reset_setsNewPassword_andOldOneStopsWorking() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = samba.directories().reset(user.upnAnchor(), Secret.of("Reset-Pass-21"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(outcome.directory()).isEqualTo("samba");
        assertThat(samba.probe().bindFailure(user.dn(), "Reset-Pass-21")).isEmpty();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 52e"));
        // The service account holds Unexpire Password, so a reset sets pwdLastSet to now, not 0.
        assertThat(samba.probe().number(user.dn(), "pwdLastSet")).isPositive();
    }

    @Test
    void reset_toPasswordInHistory_succeeds_becauseSamba417HasNoPolicyHints() throws Exception {
        TestUser user = samba.newUser();
        var directories = samba.directories();
        assertThat(directories.reset(user.upnAnchor(), Secret.of("Reset-Pass-21"), true, false).code())
                .isEqualTo(ResultCode.SUCCESS);

        Outcome outcome = directories.reset(user.upnAnchor(), Secret.of(INITIAL_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
        assertThat(directories.health()).singleElement().satisfies(health -> {
            assertThat(health.reachable()).isTrue();
            assertThat(health.historyEnforcedOnReset()).isFalse();
        });
    }

    @Test
    void reset_forceChangeAtNextLogon_setsPwdLastSetToZero() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = samba.directories().reset(user.samAnchor(), Secret.of("Reset-Pass-21"), true, true);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().number(user.dn(), "pwdLastSet")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), "Reset-Pass-21")).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 773"));
    }

    @Test
    void reset_withUnlock_unlocksLockedAccount() throws Exception {
        TestUser user = samba.newUser();
        samba.probe().badBinds(user.dn(), 3);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isPositive();

        Outcome outcome = samba.directories().reset(user.upnAnchor(), Secret.of("Reset-Pass-21"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), "Reset-Pass-21")).isEmpty();
    }

    @Test
    void reset_tooShort_isPolicyViolation_andNeverEchoesThePassword() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = samba.directories().reset(user.upnAnchor(), Secret.of("Sh0r!t"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.TOO_SHORT);
        assertThat(outcome.toString()).doesNotContain("Sh0r!t");
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void reset_withoutComplexity_isPolicyViolation() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = samba.directories().reset(user.upnAnchor(), Secret.of("onlylowercaseletters"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.COMPLEXITY);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void reset_protectedAccount_isRefused() throws Exception {
        TestUser padmin = samba.env().account("padmin");
        restoreAfterTest(padmin);

        Outcome outcome = samba.directories().reset(padmin.upnAnchor(), Secret.of("Reset-Pass-21"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.PROTECTED_ACCOUNT);
        assertThat(samba.probe().bindFailure(padmin.dn(), padmin.password())).isEmpty();
    }

    @Test
    void reset_disabledAccount_isRefused() throws Exception {
        TestUser dave = samba.env().account("dave");
        restoreAfterTest(dave);
        long pwdLastSet = samba.probe().number(dave.dn(), "pwdLastSet");

        Outcome outcome = samba.directories().reset(dave.upnAnchor(), Secret.of("Reset-Pass-21"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.ACCOUNT_DISABLED);
        assertThat(samba.probe().number(dave.dn(), "pwdLastSet")).isEqualTo(pwdLastSet);
    }

    @Test
    void reset_withoutDelegatedRight_isAccessDenied() throws Exception {
        TestUser nochange = samba.env().account("nochange");
        restoreAfterTest(nochange);

        Outcome outcome = samba.directories().reset(nochange.upnAnchor(), Secret.of("Reset-Pass-21"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(samba.probe().bindFailure(nochange.dn(), nochange.password())).isEmpty();
    }

    @Test
    void health_reportsOneReachableActiveDirectory() throws Exception {
        assertThat(samba.directories().health()).singleElement().satisfies(health -> {
            assertThat(health).extracting(DirectoryHealth::name, DirectoryHealth::type, DirectoryHealth::reachable)
                    .containsExactly("samba", "active-directory", true);
            assertThat(health.problem()).isEmpty();
            assertThat(health.latencyMillis()).isNotNegative();
        });
    }

    /** Puts a provisioned account's password back after the test, should a refused reset go through. */
    private static void restoreAfterTest(TestUser account) {
        samba.afterTest(() -> samba.probe().resetPassword(account.dn(), account.password()));
    }
}
