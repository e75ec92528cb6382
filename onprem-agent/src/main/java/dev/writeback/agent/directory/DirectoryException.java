package dev.writeback.agent.directory;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;

/** An operation that ended without applying, with the code, the user's message and the admin's diagnostic. */
final class DirectoryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ResultCode code;
    private final PolicyReason reason;
    private final String userMessage;

    DirectoryException(ResultCode code, PolicyReason reason, String adminDiagnostic, Throwable cause) {
        super(adminDiagnostic, cause);
        this.code = requireNonNull(code, "code");
        this.reason = requireNonNull(reason, "reason");
        this.userMessage = code == ResultCode.POLICY_VIOLATION
                ? dev.writeback.protocol.UserMessages.policy(reason, java.util.Locale.ENGLISH, null)
                : dev.writeback.protocol.UserMessages.result(code);
    }

    DirectoryException(ResultCode code, String adminDiagnostic) {
        this(code, PolicyReason.NONE, adminDiagnostic, null);
    }

    ResultCode code() {
        return code;
    }

    PolicyReason reason() {
        return reason;
    }

    String userMessage() {
        return userMessage;
    }

    String adminDiagnostic() {
        return getMessage();
    }
}
