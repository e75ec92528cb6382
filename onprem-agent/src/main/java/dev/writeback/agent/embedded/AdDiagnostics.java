package dev.writeback.agent.embedded;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;

/** The result codes and diagnostic texts Active Directory and Samba send, so clients see what a DC would say. */
final class AdDiagnostics {
    private AdDiagnostics() {}

    static LDAPException noTls() {
        return new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                "0000001F: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0");
    }

    static LDAPException bindNeedsTls() {
        return new LDAPException(ResultCode.STRONG_AUTH_REQUIRED, "BindSimple: Transport encryption required.");
    }

    static LDAPException notQuoted() {
        return new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                "00002035: setup_io: it's not allowed to set the NT hash password directly'");
    }

    static LDAPException badPasswordModify() {
        return new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                "00000057: setup_io: unicodePwd takes a REPLACE, or a DELETE of the old value followed by an ADD");
    }

    static LDAPException notAuthenticated() {
        return new LDAPException(ResultCode.OPERATIONS_ERROR, "00002020: Operation unavailable without authentication");
    }

    static LDAPException searchNeedsBind() {
        return new LDAPException(ResultCode.OPERATIONS_ERROR, "000004DC: LdapErr: DSID-0C090A5C, comment: In order to "
                + "perform this operation a successful bind must be completed on the connection., data 0, v4563");
    }

    static LDAPException accessDenied() {
        return new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS,
                "00000005: SecErr: DSID-031A11F8, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0");
    }

    static LDAPException noObject(String bestMatch) {
        return new LDAPException(ResultCode.NO_SUCH_OBJECT,
                "0000208D: NameErr: DSID-0310028D, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'"
                        + bestMatch + "'\n");
    }

    static LDAPException wrongOldPassword() {
        return new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "00000056: Constraint violation - "
                + "check_password_restrictions: The old password specified doesn't match!");
    }

    /** A policy failure; a change gets rc 19, a reset rc 53 as Windows (and Samba 4.24) answer. */
    static LDAPException policy(boolean change, String rule) {
        return new LDAPException(change ? ResultCode.CONSTRAINT_VIOLATION : ResultCode.UNWILLING_TO_PERFORM,
                "0000052D: Constraint violation - check_password_restrictions: " + rule);
    }

    static String tooShort(int min) {
        return "the password is too short. It should be equal or longer than " + min + " characters!";
    }

    static final String COMPLEXITY = "the password does not meet the complexity criteria!";
    static final String HISTORY = "the password was already used (in history)!";

    static LDAPException badPwdLastSet() {
        return new LDAPException(ResultCode.OTHER, "00000057: setup_last_set_field: pwdLastSet must be 0 or -1 only!");
    }

    static LDAPException badLockoutTime() {
        return new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                "00000057: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM), data 0, lockoutTime must be 0");
    }

    static LDAPException unsupportedExtendedOperation() {
        return new LDAPException(ResultCode.PROTOCOL_ERROR,
                "0000203D: LdapErr: DSID-0C091093, comment: Unknown extended request OID, data 0, vece");
    }

    /** A failed simple bind with AD's {@code data} code: 52e bad password, 533 disabled, 773 must change, 775 locked. */
    static LDAPException bindFailed(String data) {
        return new LDAPException(ResultCode.INVALID_CREDENTIALS,
                "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data " + data + ", v1db1");
    }
}
