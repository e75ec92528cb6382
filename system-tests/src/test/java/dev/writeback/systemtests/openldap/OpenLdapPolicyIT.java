package dev.writeback.systemtests.openldap;

import static dev.writeback.systemtests.openldap.OpenLdapDirectory.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import dev.writeback.agent.directory.Directories;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each ppolicy error slapd names in its password policy response control, mapped to the agent's result code and
 * policy reason; afterwards the password is unchanged (the old one still binds, the refused one does not).
 */
class OpenLdapPolicyIT {
    @RegisterExtension
    static final OpenLdapDirectory slapd = new OpenLdapDirectory();

    @Test
    void passwordTooShort_isTooShort_forResetAndChange() throws Exception {
        LdapUser user = slapd.newUser();
        Directories directories = slapd.directories();

        Outcome reset = directories.reset(user.uidAnchor(), Secret.of("Sh0rt!"), true, false);
        Outcome change = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Sh0rt!"));

        assertRefused(reset, ResultCode.POLICY_VIOLATION, PolicyReason.TOO_SHORT, "PASSWORD_TOO_SHORT");
        assertRefused(change, ResultCode.POLICY_VIOLATION, PolicyReason.TOO_SHORT, "PASSWORD_TOO_SHORT");
        assertUnchanged(user, "Sh0rt!");
    }

    /** Without a pwdCheckModule, pwdCheckQuality: 2 refuses what it cannot check: a value that looks hashed. */
    @Test
    void insufficientPasswordQuality_isComplexity() throws Exception {
        LdapUser user = slapd.newUser();

        Outcome reset = slapd.directories().reset(user.uidAnchor(), Secret.of("{SSHA}Looks-Hashed-1"), true, false);

        assertRefused(reset, ResultCode.POLICY_VIOLATION, PolicyReason.COMPLEXITY, "INSUFFICIENT_PASSWORD_QUALITY");
        assertUnchanged(user, "{SSHA}Looks-Hashed-1");
    }

    @Test
    void passwordInHistory_isHistory_forChangeAndReset() throws Exception {
        LdapUser user = slapd.newUser();
        Directories directories = slapd.directories();
        assertThat(directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Second-Pass-22"))
                .code()).isEqualTo(ResultCode.SUCCESS);

        Outcome change = directories.change(user.uidAnchor(), Secret.of("Second-Pass-22"), Secret.of(INITIAL_PASSWORD));
        Outcome reset = directories.reset(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), true, false);
        Outcome same = directories.reset(user.uidAnchor(), Secret.of("Second-Pass-22"), true, false);

        assertRefused(change, ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY, "PASSWORD_IN_HISTORY");
        assertRefused(reset, ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY, "PASSWORD_IN_HISTORY");
        assertRefused(same, ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY, "PASSWORD_IN_HISTORY");
        assertThat(slapd.probe().bindFailure(user.dn(), "Second-Pass-22")).isEmpty();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).hasSize(1);
    }

    /** The min-age policy (pwdMinAge 3600 s) applies to entries naming it in pwdPolicySubentry. */
    @Test
    void passwordTooYoung_isMinAge_forChangeAndReset() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("pwdPolicySubentry", slapd.env().get("MINAGE_POLICY_DN")));
        Directories directories = slapd.directories();

        Outcome change = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Young-Pass-33"));
        Outcome reset = directories.reset(user.uidAnchor(), Secret.of("Young-Pass-33"), true, false);

        assertRefused(change, ResultCode.POLICY_VIOLATION, PolicyReason.MIN_AGE, "PASSWORD_TOO_YOUNG");
        assertRefused(reset, ResultCode.POLICY_VIOLATION, PolicyReason.MIN_AGE, "PASSWORD_TOO_YOUNG");
        assertUnchanged(user, "Young-Pass-33");
    }

    /** pwdSafeModify: TRUE (the safe-modify policy) refuses a reset without the old password; a change still works. */
    @Test
    void mustSupplyOldPassword_isAccessDenied_forReset_whileChangeWorks() throws Exception {
        LdapUser user = slapd.newUser(new Attribute("pwdPolicySubentry", slapd.env().get("SAFE_POLICY_DN")));
        Directories directories = slapd.directories();

        Outcome reset = directories.reset(user.uidAnchor(), Secret.of("Safe-Pass-44"), true, false);
        boolean oldStillBinds = slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD).isEmpty();
        Outcome change = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Safe-Pass-44"));

        assertRefused(reset, ResultCode.ACCESS_DENIED, PolicyReason.NONE, "MUST_SUPPLY_OLD_PASSWORD");
        assertThat(reset.adminDiagnostic()).contains("pwdSafeModify");
        assertThat(oldStillBinds).as("old password binds after the refused reset").isTrue();
        assertThat(change.code()).as("%s", change).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), "Safe-Pass-44")).isEmpty();
    }

    /** A policy made by the test with pwdAllowUserChange: FALSE: the user's own change is refused, a reset is not. */
    @Test
    void passwordModNotAllowed_isAccessDenied_forAChangeOnTheUsersBind() throws Exception {
        String policy = "cn=no-user-change-" + UUID.randomUUID().toString().substring(0, 8) + ","
                + new DN(slapd.env().get("DEFAULT_POLICY_DN")).getParentString();
        var entry = new Entry(policy);
        entry.addAttribute("objectClass", "organizationalRole", "pwdPolicy");
        entry.addAttribute("cn", new DN(policy).getRDN().getAttributeValues()[0]);
        entry.addAttribute("pwdAttribute", "userPassword");
        entry.addAttribute("pwdAllowUserChange", "FALSE");
        slapd.probe().add(entry);
        slapd.afterTest(() -> slapd.probe().delete(policy));
        LdapUser user = slapd.newUser(new Attribute("pwdPolicySubentry", policy));
        Directories directories = slapd.directories();

        Outcome change = directories.change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Own-Change-77"));
        boolean oldStillBinds = slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD).isEmpty();
        Outcome reset = directories.reset(user.uidAnchor(), Secret.of("Desk-Reset-78"), true, false);

        assertRefused(change, ResultCode.ACCESS_DENIED, PolicyReason.NONE, "PASSWORD_MOD_NOT_ALLOWED");
        assertThat(change.adminDiagnostic()).contains("pwdAllowUserChange");
        assertThat(oldStillBinds).as("old password binds after the refused change").isTrue();
        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.SUCCESS);
        assertThat(slapd.probe().bindFailure(user.dn(), "Desk-Reset-78")).isEmpty();
    }

    @Test
    void accountLocked_isAccountLocked_forAChangeOnTheUsersBind_andByTheServiceAccount() throws Exception {
        LdapUser user = slapd.newLockedUser();

        Outcome ownBind = slapd.directories().change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD),
                Secret.of("Locked-Pass-55"));
        Outcome asService = slapd.directories(config -> OpenLdapDirectory.ldapBlock(config).put("changeAs", "service"))
                .change(user.uidAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Locked-Pass-55"));

        assertRefused(ownBind, ResultCode.ACCOUNT_LOCKED, PolicyReason.NONE, "ACCOUNT_LOCKED");
        assertThat(asService.code()).as("%s", asService).isEqualTo(ResultCode.ACCOUNT_LOCKED);
        assertThat(slapd.probe().value(user.dn(), "pwdAccountLockedTime")).isNotNull();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).isEmpty();
    }

    /**
     * The service account itself flagged with pwdReset: slapd lets it do nothing but change its own password.
     * slapd 2.5 names changeAfterReset only on the bind, not on the refused search that follows, so the agent
     * reports ACCESS_DENIED with slapd's text.
     */
    @Test
    void changeAfterReset_onTheServiceAccount_isAccessDenied_andSaysWhy() throws Exception {
        LdapUser user = slapd.newUser();
        String service = slapd.env().get("SERVICE_DN");
        slapd.probe().replace(service, "pwdReset", "TRUE");
        slapd.afterTest(() -> slapd.probe().remove(service, "pwdReset"));

        Outcome reset = slapd.directories().reset(user.uidAnchor(), Secret.of("Reset-Pass-66"), true, false);

        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(reset.adminDiagnostic()).as("%s", reset).contains("rc=50", "Operations are restricted to");
        assertUnchanged(user, "Reset-Pass-66");
    }

    private static void assertRefused(Outcome outcome, ResultCode code, PolicyReason reason, String ppolicyError) {
        assertThat(outcome.code()).as("%s", outcome).isEqualTo(code);
        assertThat(outcome.reason()).as("%s", outcome).isEqualTo(reason);
        assertThat(outcome.adminDiagnostic()).as("%s", outcome).contains("ppolicy=" + ppolicyError(ppolicyError));
        assertThat(outcome.userMessage()).isNotBlank();
    }

    /** The name UnboundID gives the error ({@code PASSWORD_TOO_SHORT} is "password too short"). */
    private static String ppolicyError(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static void assertUnchanged(LdapUser user, String refused) throws Exception {
        assertThat(slapd.probe().bindFailure(user.dn(), INITIAL_PASSWORD)).as("old password binds").isEmpty();
        assertThat(slapd.probe().bindFailure(user.dn(), refused)).as("refused password binds").isPresent();
        assertThat(slapd.probe().values(user.dn(), "pwdHistory")).isEmpty();
    }
}
