package dev.writeback.systemtests.openldap;

import static dev.writeback.systemtests.openldap.OpenLdapDirectory.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.agent.directory.Directories;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reset, change and unlock through the agent's {@code type: ldap} writer against slapd with ppolicy, each effect
 * checked from outside: binds with the new and the old password, and the ppolicy state read back as the rootdn.
 */
class OpenLdapPasswordIT {
    @RegisterExtension
    static final OpenLdapDirectory slapd = new OpenLdapDirectory();

    private static final String NEW_PASSWORD = "Reset-Pass-21";

    @Test
    void reset_byServiceAccount_newPasswordBinds_oldFails_andHistoryKeepsTheOld() throws Exception {
        LdapUser user = slapd.newUser();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).isEmpty();

        Outcome outcome = slapd.directories().reset(user.uidAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(outcome.directory()).isEqualTo("openldap");
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).hasValueSatisfying(
                failure -> assertThat(failure).startsWith("49 (invalid credentials)"));
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).hasSize(1);
        assertThat(slapd.probe().value(user.dn(), "pwdReset")).isNull();
        assertThat(slapd.probe().value(user.dn(), "pwdChangedTime")).isNotNull();
    }

    @Test
    void reset_withForceChange_setsPwdReset_soTheUserMayOnlyChangeThePassword() throws Exception {
        LdapUser user = slapd.newUser();

        Outcome outcome = slapd.directories().reset(user.mailAnchor(), Secret.of(NEW_PASSWORD), true, true);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdReset")).isEqualTo("TRUE");
        assertThat(slapd.probe().policyOnBind(user.dn(), NEW_PASSWORD)).isEqualTo("CHANGE_AFTER_RESET");
    }

    @Test
    void reset_withoutForceChange_clearsAnEarlierPwdReset() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("pwdReset", "TRUE"));

        Outcome outcome = slapd.directories().reset(user.uidAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdReset")).isNull();
        assertThat(slapd.probe().policyOnBind(user.dn(), NEW_PASSWORD)).isEqualTo("none");
    }

    @Test
    void reset_unlocksAnAccountLockedByFailedBinds() throws Exception {
        LdapUser user = slapd.newLockedUser();

        Outcome outcome = slapd.directories().reset(user.uidAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNull();
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
    }

    @Test
    void reset_withUnlockFalse_setsThePassword_butLeavesTheLock() throws Exception {
        LdapUser user = slapd.newLockedUser();

        Outcome outcome = slapd.directories().reset(user.uidAnchor(), Secret.of(NEW_PASSWORD), false, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNotNull();
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).hasValueSatisfying(
                failure -> assertThat(failure).contains("ppolicy=ACCOUNT_LOCKED"));
    }

    @Test
    void change_onTheUsersOwnBind_withOldAndNew() throws Exception {
        LdapUser user = slapd.newUser();

        Outcome outcome = slapd.directories().change(user.dnAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of(NEW_PASSWORD));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).hasSize(1);
    }

    @Test
    void change_withWrongCurrentPassword_isWrongCurrentPassword_andCountsAsAFailedBind() throws Exception {
        LdapUser user = slapd.newUser();

        Outcome outcome = slapd.directories().change(user.uidAnchor(), Secret.of("Not-The-Password-1"),
                Secret.of(NEW_PASSWORD));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.WRONG_CURRENT_PASSWORD);
        assertThat(slapd.probe().values(user.dn(), "pwdFailureTime")).hasSize(1);
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).isPresent();
    }

    @Test
    void change_byAUserWhoMustChange_works_andSlapdClearsPwdReset() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("pwdReset", "TRUE"));
        assertThat(slapd.probe().policyOnBind(user.dn(), INITIAL_PASSWORD)).isEqualTo("CHANGE_AFTER_RESET");

        Outcome outcome = slapd.directories().change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of(NEW_PASSWORD));

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdReset")).isNull();
        assertThat(slapd.probe().policyOnBind(user.dn(), NEW_PASSWORD)).isEqualTo("none");
    }

    @Test
    void change_byTheServiceAccount_whereConfigured() throws Exception {
        LdapUser user = slapd.newUserIn(slapd.env().get("CONTRACTORS_OU"));
        Directories directories = slapd.directories(
                config -> OpenLdapDirectory.ldapBlock(config).put("changeAs", "service"));

        Outcome wrong = directories.change(user.uidAnchor(), Secret.of("Not-The-Password-1"), Secret.of(NEW_PASSWORD));
        Outcome right = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of(NEW_PASSWORD));

        assertThat(wrong.code()).as("%s", wrong).isEqualTo(ResultCode.WRONG_CURRENT_PASSWORD);
        assertThat(right.code()).as("%s", right).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isPresent();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).hasSize(1);
    }

    @Test
    void unlock_removesPwdAccountLockedTime_andLeavesThePassword() throws Exception {
        LdapUser user = slapd.newLockedUser();

        Outcome outcome = slapd.directories().unlock(user.mailAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNull();
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void unlock_ofAnAccountThatIsNotLocked_succeedsAndChangesNothing() throws Exception {
        LdapUser user = slapd.newUser();

        Outcome outcome = slapd.directories().unlock(user.uidAnchor());

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void administrativelyLockedAccount_isDisabled_forResetAndUnlock() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("pwdAccountLockedTime", "000001010000Z"));
        Directories directories = slapd.directories();

        Outcome reset = directories.reset(user.uidAnchor(), Secret.of(NEW_PASSWORD), true, false);
        Outcome unlock = directories.unlock(user.uidAnchor());

        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.ACCOUNT_DISABLED);
        assertThat(unlock.code()).as("%s", unlock).isEqualTo(ResultCode.ACCOUNT_DISABLED);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isEqualTo("000001010000Z");
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).isEmpty();
    }
}
