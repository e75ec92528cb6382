package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ErrorType;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;

/**
 * Classifies what a generic LDAP server (OpenLDAP ppolicy, 389) answers to a password operation. The password
 * policy response control (draft-behera-ldap-password-policy-10 §6.2) names the rule; without it only the LDAP
 * result code is used, never the server's text.
 */
final class LdapErrors {
    /** What the operation was, because the same LDAP answer means different things for each. */
    enum Step {
        /** Password modify by the service account without the old password. */
        RESET,
        /** Password modify with the old password, by the user's own bind. */
        CHANGE_AS_USER,
        /** Password modify with the old password, by the service account. */
        CHANGE_AS_SERVICE,
        /** The user's bind with the current password, before a change. */
        USER_BIND
    }

    private LdapErrors() {}

    /** The ppolicy error in a result, or null when the server sent no control (or only a warning). */
    static DraftBeheraLDAPPasswordPolicy10ErrorType policyError(LDAPResult result) {
        try {
            var control = DraftBeheraLDAPPasswordPolicy10ResponseControl.get(result);
            return control == null ? null : control.getErrorType();
        } catch (LDAPException malformed) {
            return null;   // a malformed control names no rule; fall back to the result code
        }
    }

    static DirectoryException classify(LDAPException e, Step step) {
        String diagnostic = Operations.diagnostic(e);
        DraftBeheraLDAPPasswordPolicy10ErrorType error = policyError(e.toLDAPResult());
        if (error != null) {
            return fromPolicy(error, step, diagnostic + " ppolicy=" + error.getName());
        }
        int rc = e.getResultCode().intValue();
        if (rc == 49 && step != Step.RESET) {
            return new DirectoryException(ResultCode.WRONG_CURRENT_PASSWORD, diagnostic);
        }
        if (rc == 53 && step == Step.CHANGE_AS_SERVICE) {
            // slapd answers "unwilling to verify old password" when the old password does not match
            return new DirectoryException(ResultCode.WRONG_CURRENT_PASSWORD, diagnostic);
        }
        if (rc == 19) {
            // a constraint violation without the control: a policy rule the server did not name
            return policyViolation(PolicyReason.OTHER, diagnostic);
        }
        AdErrors.Classified c = AdErrors.classify(e);
        return new DirectoryException(c.code(), c.reason(), diagnostic, null);
    }

    private static DirectoryException fromPolicy(DraftBeheraLDAPPasswordPolicy10ErrorType error, Step step,
                                                 String diagnostic) {
        return switch (error) {
            case PASSWORD_TOO_SHORT -> policyViolation(PolicyReason.TOO_SHORT, diagnostic);
            case INSUFFICIENT_PASSWORD_QUALITY -> policyViolation(PolicyReason.COMPLEXITY, diagnostic);
            case PASSWORD_IN_HISTORY -> policyViolation(PolicyReason.HISTORY, diagnostic);
            case PASSWORD_TOO_YOUNG -> policyViolation(PolicyReason.MIN_AGE, diagnostic);
            case ACCOUNT_LOCKED -> new DirectoryException(ResultCode.ACCOUNT_LOCKED, diagnostic);
            case PASSWORD_EXPIRED -> new DirectoryException(ResultCode.ACCESS_DENIED, diagnostic
                    + ": the password expired and no grace logins are left, so the user cannot bind to change it;"
                    + " reset it, or set ldap.changeAs: service");
            case CHANGE_AFTER_RESET -> new DirectoryException(ResultCode.ACCESS_DENIED, diagnostic
                    + (step == Step.RESET || step == Step.CHANGE_AS_SERVICE
                    ? ": the service account has pwdReset: TRUE and must change its own password first"
                    : ": the server allows only a password change on this bind"));
            case MUST_SUPPLY_OLD_PASSWORD -> new DirectoryException(ResultCode.ACCESS_DENIED, diagnostic
                    + ": the account's policy has pwdSafeModify: TRUE, so only a change with the current password"
                    + " is possible (see docs/ldap.md)");
            case PASSWORD_MOD_NOT_ALLOWED -> new DirectoryException(ResultCode.ACCESS_DENIED, diagnostic
                    + ": the account's policy has pwdAllowUserChange: FALSE");
        };
    }

    private static DirectoryException policyViolation(PolicyReason reason, String diagnostic) {
        return new DirectoryException(ResultCode.POLICY_VIOLATION, reason, diagnostic, null);
    }
}
