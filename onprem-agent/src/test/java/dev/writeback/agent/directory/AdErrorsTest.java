package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import org.junit.jupiter.api.Test;

class AdErrorsTest {
    private static final String SAMBA = "0000052D: Constraint violation - check_password_restrictions: ";

    @Test
    void classify_sambaTooShort_namesTooShort() {
        assertThat(classify(19, SAMBA + "the password is too short. It should be equal or longer than 7 characters!"))
                .isEqualTo(new AdErrors.Classified(ResultCode.POLICY_VIOLATION, PolicyReason.TOO_SHORT));
    }

    @Test
    void classify_sambaComplexity_namesComplexity() {
        assertThat(classify(19, SAMBA + "the password does not meet the complexity criteria!").reason())
                .isEqualTo(PolicyReason.COMPLEXITY);
    }

    @Test
    void classify_sambaHistory_namesHistory() {
        assertThat(classify(19, SAMBA + "the password was already used (in history)!").reason()).isEqualTo(PolicyReason.HISTORY);
        assertThat(classify(19, SAMBA + "the password was already used (previous password)!").reason())
                .isEqualTo(PolicyReason.HISTORY);
    }

    @Test
    void classify_sambaTooYoung_namesMinAge() {
        assertThat(classify(19, SAMBA + "password is too young to change!").reason()).isEqualTo(PolicyReason.MIN_AGE);
    }

    @Test
    void classify_windowsResetPolicy_isPolicyWithoutReason() {
        assertThat(classify(53, "0000052D: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM), data 0"))
                .isEqualTo(new AdErrors.Classified(ResultCode.POLICY_VIOLATION, PolicyReason.NONE));
        assertThat(classify(19, "0000052D: AtrErr: DSID-03191083, #1: 0: 0000052D: DSID-03191083, problem 1005 "
                + "(CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)").code()).isEqualTo(ResultCode.POLICY_VIOLATION);
    }

    @Test
    void classify_wrongOldPassword_isWrongCurrentPassword() {
        assertThat(classify(19, "00000056: Constraint violation - check_password_restrictions: The old password "
                + "specified doesn't match!").code()).isEqualTo(ResultCode.WRONG_CURRENT_PASSWORD);
        assertThat(classify(19, "00000056: AtrErr: DSID-03191083, #1: 0: 00000056: DSID-03191083, problem 1005 "
                + "(CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)").code()).isEqualTo(ResultCode.WRONG_CURRENT_PASSWORD);
    }

    @Test
    void classify_lockedOutChange_isAccountLocked() {
        AdErrors.Classified c = classify(19, "00000775: Password change not permitted, account locked out! at "
                + "../../source4/dsdb/samdb/ldb_modules/password_hash.c:3929:setup_io");
        assertThat(c.code()).isEqualTo(ResultCode.ACCOUNT_LOCKED);
        assertThat(c.reason()).isEqualTo(PolicyReason.NONE);
    }

    @Test
    void classify_accessErrors_areAccessDenied() {
        assertThat(classify(50, "00000005: SecErr: DSID-031A11F8, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0").code())
                .isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(classify(50, "00002098: Object CN=alice,CN=Users,DC=test,DC=lan has no write property access").code())
                .isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(classify(50, "error in module acl: insufficient access rights during LDB_MODIFY (50)").code())
                .isEqualTo(ResultCode.ACCESS_DENIED);
    }

    @Test
    void classify_noObject_isUserNotFound() {
        assertThat(classify(32, "0000208D: NameErr: DSID-0310028D, problem 2001 (NO_OBJECT), data 0, best match of:").code())
                .isEqualTo(ResultCode.USER_NOT_FOUND);
        assertThat(classify(32, "00002030: No such Base DN: CN=x,DC=test,DC=lan").code()).isEqualTo(ResultCode.USER_NOT_FOUND);
    }

    @Test
    void classify_connectionErrors_areDirectoryUnavailable() {
        for (int rc : new int[] {51, 52, 81, 91}) {
            assertThat(AdErrors.classify(rc, "", false).code()).as("rc %d", rc).isEqualTo(ResultCode.DIRECTORY_UNAVAILABLE);
        }
    }

    @Test
    void classify_unknown_isInternalError() {
        assertThat(classify(12, "00000057: LdapErr: DSID-0C090CAD, comment: Error processing control, data 0").code())
                .isEqualTo(ResultCode.INTERNAL_ERROR);
    }

    @Test
    void win32Code_readsLeadingHex() {
        assertThat(AdErrors.win32Code("0000052d: x")).isEqualTo("0000052D");
        assertThat(AdErrors.win32Code("Constraint violation")).isNull();
    }

    private static AdErrors.Classified classify(int rc, String diagnostic) {
        return AdErrors.classify(rc, diagnostic, true);
    }
}
