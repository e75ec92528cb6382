package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Password changes (the user knows the current password) through the agent's directory layer against Samba AD. */
class SambaChangeIT {
    /** One day as an AD interval (100 ns units, negative as AD stores durations). */
    private static final String ONE_DAY = "-864000000000";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void change_withCurrentPassword_setsNewPassword() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = change(user, INITIAL_PASSWORD, "Next-Pass-22");

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), "Next-Pass-22")).isEmpty();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
    }

    @Test
    void change_withWrongCurrentPassword_isWrongCurrentPassword() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = change(user, "Not-The-Pass-9", "Next-Pass-22");

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.WRONG_CURRENT_PASSWORD);
        assertThat(outcome.toString()).doesNotContain("Not-The-Pass-9").doesNotContain("Next-Pass-22");
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void change_byUserWhoMustChangeAtNextLogon_works() throws Exception {
        TestUser erin = samba.env().account("erin");
        String newPassword = "Fresh-" + UUID.randomUUID().toString().substring(0, 6) + "-61";   // never in her history
        samba.afterTest(() -> {
            samba.probe().resetPassword(erin.dn(), erin.password());
            samba.probe().replace(erin.dn(), "pwdLastSet", "0");
            samba.probe().replace(erin.dn(), "lockoutTime", "0");
        });
        assertThat(samba.probe().bindFailure(erin.dn(), erin.password())).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 773"));

        Outcome outcome = change(erin, erin.password(), newPassword);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(erin.dn(), newPassword)).isEmpty();
        assertThat(samba.probe().number(erin.dn(), "pwdLastSet")).isPositive();
    }

    @Test
    void change_tooShort_isPolicyViolation() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = change(user, INITIAL_PASSWORD, "Sh0r!t");

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.TOO_SHORT);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void change_withoutComplexity_isPolicyViolation() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = change(user, INITIAL_PASSWORD, "onlylowercaseletters");

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.COMPLEXITY);
    }

    @Test
    void change_toPreviousPassword_isPolicyViolation() throws Exception {
        TestUser user = samba.newUser();
        var directories = samba.directories();
        assertThat(directories.change(user.upnAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Next-Pass-22")).code())
                .isEqualTo(ResultCode.SUCCESS);

        Outcome outcome = directories.change(user.upnAnchor(), Secret.of("Next-Pass-22"), Secret.of(INITIAL_PASSWORD));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.HISTORY);
        assertThat(samba.probe().bindFailure(user.dn(), "Next-Pass-22")).isEmpty();
    }

    @Test
    void change_beforeMinimumAge_isPolicyViolation() throws Exception {
        String domain = samba.env().get("BASE_DN");
        String minPwdAge = samba.probe().read(domain, "minPwdAge").getAttributeValue("minPwdAge");
        samba.afterTest(() -> samba.probe().replace(domain, "minPwdAge", minPwdAge));
        samba.probe().replace(domain, "minPwdAge", ONE_DAY);
        TestUser user = samba.newUser();

        Outcome outcome = change(user, INITIAL_PASSWORD, "Next-Pass-22");

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.MIN_AGE);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    private static Outcome change(TestUser user, String currentPassword, String newPassword) throws Exception {
        return samba.directories().change(user.upnAnchor(), Secret.of(currentPassword), Secret.of(newPassword));
    }
}
