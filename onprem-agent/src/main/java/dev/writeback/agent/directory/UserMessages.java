package dev.writeback.agent.directory;

import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;

/** Plain-language text for the person at the password page; never a directory's own message. */
final class UserMessages {
    private UserMessages() {}

    static String of(ResultCode code, PolicyReason reason) {
        return switch (code) {
            case SUCCESS -> "Done.";
            case USER_NOT_FOUND -> "We could not find an account for you. Contact your help desk.";
            case MULTIPLE_MATCHES -> "We could not tell which account is yours. Contact your help desk.";
            case PROTECTED_ACCOUNT -> "The password of this account cannot be changed here. Contact your help desk.";
            case ACCOUNT_DISABLED -> "This account is disabled. Contact your help desk.";
            case WRONG_CURRENT_PASSWORD -> "The current password is not correct.";
            case POLICY_VIOLATION -> policy(reason);
            case ACCESS_DENIED -> "The password service is not allowed to change this account. Contact your help desk.";
            case ACCOUNT_LOCKED -> "This account is locked. Reset your password to unlock it, or contact your help desk.";
            case UNLOCK_NOT_ALLOWED -> "Unlocking without a new password is not allowed. Reset your password instead.";
            case DIRECTORY_UNAVAILABLE -> "The directory cannot be reached right now. Try again in a few minutes.";
            case OUTCOME_UNKNOWN -> "We could not confirm the change. Try signing in with the new password before trying again.";
            default -> "Something went wrong. Try again later or contact your help desk.";
        };
    }

    private static String policy(PolicyReason reason) {
        return switch (reason) {
            case TOO_SHORT -> "The new password is too short.";
            case COMPLEXITY -> "The new password needs three of: upper-case letters, lower-case letters, digits and "
                    + "symbols, and must not contain your user name or parts of your full name.";
            case HISTORY -> "The new password was used recently. Choose one you have not used before.";
            case MIN_AGE -> "The password was changed too recently. Try again later.";
            default -> "The new password does not meet the password rules.";
        };
    }
}
