package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

/**
 * What happened to one password operation: a code, the policy rule when one was broken, a message fit to
 * show the end user, a diagnostic fit for an administrator (never a password), and where it ran.
 *
 * @param code the result code
 * @param reason the policy rule, {@link PolicyReason#NONE} unless {@code code} is POLICY_VIOLATION
 * @param userMessage plain language for the person resetting their password
 * @param adminDiagnostic detail for an administrator (may hold a raw directory diagnostic)
 * @param directory name of the directory that handled it, empty when none
 * @param server the domain controller or LDAP server used, empty when none
 * @param directoryMillis time spent in the directory
 * @param profile the account found, only in a SUCCESS answer to a LOOKUP
 */
public record Outcome(ResultCode code, PolicyReason reason, String userMessage, String adminDiagnostic,
                      String directory, String server, long directoryMillis, java.util.Optional<AccountProfile> profile) {
    public Outcome {
        requireNonNull(code, "code");
        requireNonNull(reason, "reason");
        requireNonNull(userMessage, "userMessage");
        requireNonNull(adminDiagnostic, "adminDiagnostic");
        requireNonNull(directory, "directory");
        requireNonNull(server, "server");
        if (directoryMillis < 0) {
            throw new IllegalArgumentException("directoryMillis: " + directoryMillis + " (expected: >= 0)");
        }
        requireNonNull(profile, "profile");
        if (profile.isPresent() && code != ResultCode.SUCCESS) {
            throw new IllegalArgumentException("profile: present with " + code + " (expected: only with SUCCESS)");
        }
    }

    /** An outcome without a profile (every operation but LOOKUP). */
    public Outcome(ResultCode code, PolicyReason reason, String userMessage, String adminDiagnostic, String directory,
                   String server, long directoryMillis) {
        this(code, reason, userMessage, adminDiagnostic, directory, server, directoryMillis, java.util.Optional.empty());
    }

    /** An outcome not produced by a directory (relay-side failures, envelope rejections). */
    public static Outcome of(ResultCode code, String userMessage, String adminDiagnostic) {
        return new Outcome(code, PolicyReason.NONE, userMessage, adminDiagnostic, "", "", 0);
    }

    /**
     * An outcome not produced by a directory, with the shared user text for {@code code}
     * ({@link UserMessages#result(ResultCode)}).
     */
    public static Outcome of(ResultCode code, String adminDiagnostic) {
        return of(code, UserMessages.result(code), adminDiagnostic);
    }

    /** Whether the operation was applied. */
    public boolean succeeded() {
        return code == ResultCode.SUCCESS;
    }
}
