package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.LDAPException;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies Active Directory and Samba errors by the 8-hex-digit Win32 code that starts the diagnostic message,
 * then by LDAP result code. Policy failures ({@code 0000052D}) are named from Samba's text when present; AD
 * gives no text, so {@link DomainPolicy#explain} names them from the domain policy.
 */
final class AdErrors {
    private static final Pattern WIN32 = Pattern.compile("^\\s*([0-9A-Fa-f]{8}):");

    static final String PASSWORD_RESTRICTION = "0000052D";
    static final String INVALID_PASSWORD = "00000056";
    static final String ACCESS_DENIED = "00000005";
    static final String INSUFFICIENT_RIGHTS = "00002098";
    static final String OBJECT_NOT_FOUND = "0000208D";
    /** ERROR_ACCOUNT_LOCKED_OUT: Samba refuses a change on a locked-out account even with the right password. */
    static final String ACCOUNT_LOCKED_OUT = "00000775";

    /**
     * A classification.
     *
     * @param code the result code
     * @param reason the policy reason when Samba's text names it, else NONE (or OTHER before {@link DomainPolicy})
     */
    record Classified(ResultCode code, PolicyReason reason) {}

    private AdErrors() {}

    static Classified classify(LDAPException e) {
        return classify(e.getResultCode().intValue(), e.getDiagnosticMessage(), e.getResultCode().isConnectionUsable());
    }

    static Classified classify(int resultCode, String diagnostic, boolean connectionUsable) {
        String win32 = win32Code(diagnostic);
        if (PASSWORD_RESTRICTION.equals(win32)) {
            return new Classified(ResultCode.POLICY_VIOLATION, reasonFromText(diagnostic));
        }
        if (ACCOUNT_LOCKED_OUT.equals(win32)) {
            return of(ResultCode.ACCOUNT_LOCKED);
        }
        if (INVALID_PASSWORD.equals(win32)) {
            return of(ResultCode.WRONG_CURRENT_PASSWORD);
        }
        if (ACCESS_DENIED.equals(win32) || INSUFFICIENT_RIGHTS.equals(win32) || resultCode == 50) {
            return of(ResultCode.ACCESS_DENIED);
        }
        if (OBJECT_NOT_FOUND.equals(win32) || resultCode == 32) {
            return of(ResultCode.USER_NOT_FOUND);
        }
        if (!connectionUsable || resultCode == 51 || resultCode == 52 || resultCode == 81 || resultCode == 85
                || resultCode == 91) {
            return of(ResultCode.DIRECTORY_UNAVAILABLE);
        }
        if (resultCode == 19 && win32 == null && diagnostic != null
                && diagnostic.toLowerCase(Locale.ROOT).contains("module acl")) {
            // Samba's answer to a change denied by "User cannot change password" (deny ACEs on the Change
            // Password right): a missing right, not a password rule, so the user must not be told to pick another.
            return of(ResultCode.ACCESS_DENIED);
        }
        if (resultCode == 19) {
            return new Classified(ResultCode.POLICY_VIOLATION, reasonFromText(diagnostic));
        }
        return of(ResultCode.INTERNAL_ERROR);
    }

    /** The leading Win32 code in upper case, or null when the message has none. */
    static String win32Code(String diagnostic) {
        if (diagnostic == null) {
            return null;
        }
        Matcher m = WIN32.matcher(diagnostic);
        return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : null;
    }

    /** Samba's check_password_restrictions texts; NONE when the text names no rule (Windows gives none). */
    static PolicyReason reasonFromText(String diagnostic) {
        if (diagnostic == null) {
            return PolicyReason.NONE;
        }
        String d = diagnostic.toLowerCase(Locale.ROOT);
        if (d.contains("too short")) {
            return PolicyReason.TOO_SHORT;
        }
        if (d.contains("complexity")) {
            return PolicyReason.COMPLEXITY;
        }
        if (d.contains("history") || d.contains("previous password")) {
            return PolicyReason.HISTORY;
        }
        if (d.contains("too young")) {
            return PolicyReason.MIN_AGE;
        }
        return PolicyReason.NONE;
    }

    private static Classified of(ResultCode code) {
        return new Classified(code, PolicyReason.NONE);
    }
}
