package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The plaintext of one sealed REQUEST: what to do to which account, when it was issued, when it expires, and
 * the passwords. Prints no password ({@link Secret#toString()} is {@code ****}).
 */
public record PasswordRequest(Operation operation, Anchor anchor, boolean unlock, boolean forceChangeAtNextLogon,
                              Instant issuedAt, Instant expiresAt, Optional<Secret> newPassword,
                              Optional<Secret> currentPassword) {
    /** Longest password accepted, in characters (Active Directory's limit). */
    public static final int MAX_PASSWORD_CHARS = 256;

    public PasswordRequest {
        requireNonNull(operation, "operation");
        requireNonNull(anchor, "anchor");
        requireNonNull(issuedAt, "issuedAt");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(newPassword, "newPassword");
        requireNonNull(currentPassword, "currentPassword");
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt: " + expiresAt + " (expected: after issuedAt " + issuedAt + ")");
        }
        if ((operation == Operation.LOOKUP) != (anchor.type() == Anchor.Type.ID)) {
            throw new IllegalArgumentException("anchor type: " + anchor.type() + " for " + operation
                    + " (expected: id: exactly for LOOKUP)");
        }
        boolean needsNew = operation == Operation.RESET || operation == Operation.CHANGE;
        if (needsNew != newPassword.isPresent()) {
            throw new IllegalArgumentException("newPassword: " + (needsNew ? "missing" : "present")
                    + " (expected: " + (needsNew ? "present" : "absent") + " for " + operation + ")");
        }
        boolean needsCurrent = operation == Operation.CHANGE;
        if (needsCurrent != currentPassword.isPresent()) {
            throw new IllegalArgumentException("currentPassword: " + (needsCurrent ? "missing" : "present")
                    + " (expected: " + (needsCurrent ? "present" : "absent") + " for " + operation + ")");
        }
    }

    /** A reset of {@code anchor} to {@code newPassword}. */
    public static PasswordRequest reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChange,
                                        Instant issuedAt, Instant expiresAt) {
        return new PasswordRequest(Operation.RESET, anchor, unlock, forceChange, issuedAt, expiresAt,
                Optional.of(newPassword), Optional.empty());
    }

    /** A change from {@code currentPassword} to {@code newPassword}. */
    public static PasswordRequest change(Anchor anchor, Secret currentPassword, Secret newPassword, Instant issuedAt,
                                         Instant expiresAt) {
        return new PasswordRequest(Operation.CHANGE, anchor, false, false, issuedAt, expiresAt,
                Optional.of(newPassword), Optional.of(currentPassword));
    }

    /** An unlock of {@code anchor}. */
    public static PasswordRequest unlock(Anchor anchor, Instant issuedAt, Instant expiresAt) {
        return new PasswordRequest(Operation.UNLOCK, anchor, true, false, issuedAt, expiresAt, Optional.empty(),
                Optional.empty());
    }

    /** A LOOKUP of the account {@code userId} (UPN, sAMAccountName or mail, as typed) names. */
    public static PasswordRequest lookup(String userId, Instant issuedAt, Instant expiresAt) {
        return new PasswordRequest(Operation.LOOKUP, new Anchor(Anchor.Type.ID, userId.strip()), false, false, issuedAt,
                expiresAt, Optional.empty(), Optional.empty());
    }

    /** Wipes the passwords. */
    public void destroy() {
        newPassword.ifPresent(Secret::close);
        currentPassword.ifPresent(Secret::close);
    }
}
