package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Account lockout (threshold 3) and unlock through the agent's directory layer against Samba AD. */
class SambaLockoutIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void unlock_afterThreeBadBinds_restoresLogon() throws Exception {
        TestUser user = samba.newUser();
        samba.probe().badBinds(user.dn(), Integer.parseInt(samba.env().get("LOCKOUT_THRESHOLD")));
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isPositive();
        assertThat(samba.probe().number(user.dn(), "badPwdCount")).isEqualTo(3);
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).hasValueSatisfying(
                diagnostic -> assertThat(diagnostic).contains("data 775"));

        Outcome outcome = samba.directories().unlock(user.upnAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isZero();
        assertThat(samba.probe().number(user.dn(), "badPwdCount")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void change_ofLockedAccount_withRightCurrentPassword_isAccountLocked() throws Exception {
        TestUser user = samba.newUser();
        samba.probe().badBinds(user.dn(), Integer.parseInt(samba.env().get("LOCKOUT_THRESHOLD")));
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isPositive();

        Outcome outcome = samba.directories().change(user.upnAnchor(), Secret.of(INITIAL_PASSWORD),
                Secret.of("Next-Pass-22"));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.ACCOUNT_LOCKED);
        assertThat(outcome.reason()).isEqualTo(PolicyReason.NONE);
        assertThat(outcome.userMessage()).contains("locked").contains("reset its password");
        assertThat(outcome.toString()).doesNotContain(INITIAL_PASSWORD).doesNotContain("Next-Pass-22");
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isPositive();
        samba.directories().unlock(user.upnAnchor());
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).as("password unchanged").isEmpty();
    }

    @Test
    void change_ofAccountLockedByLockoutTime_isAccountLocked() throws Exception {
        TestUser user = samba.newUser();
        // An administrator can lock an account only by writing the current time as a FILETIME.
        long now = (System.currentTimeMillis() + 11_644_473_600_000L) * 10_000L;
        samba.probe().replace(user.dn(), "lockoutTime", Long.toString(now));

        Outcome outcome = samba.directories().change(user.samAnchor(), Secret.of(INITIAL_PASSWORD),
                Secret.of("Next-Pass-22"));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.ACCOUNT_LOCKED);
    }

    @Test
    void unlock_ofAccountThatIsNotLocked_succeeds() throws Exception {
        TestUser user = samba.newUser();

        Outcome outcome = samba.directories().unlock(user.samAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isZero();
        assertThat(samba.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void unlock_withoutDelegatedRight_isAccessDenied() throws Exception {
        TestUser user = samba.newUserIn(samba.env().get("RESTRICTED_OU"));
        samba.probe().badBinds(user.dn(), 3);

        Outcome outcome = samba.directories().unlock(user.upnAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(samba.probe().number(user.dn(), "lockoutTime")).isPositive();
    }
}
