package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One step of the portal in the audit trail. Never a code, a password or an answer.
 *
 * @param time when it happened
 * @param tenantId the tenant
 * @param supportCode the support code the user sees (the writeback request id of the step, or the session's)
 * @param step what happened
 * @param subject the account's anchor, or the user id as typed when no account was found
 * @param result the step's outcome, e.g. {@code OK}, {@code WRONG_CODE}, {@code LOCKED_OUT}
 * @param method the verification method used ({@code email}), empty when none applies
 * @param detail anything else an administrator needs, may be empty
 */
public record PortalAudit(Instant time, String tenantId, String supportCode, Step step, String subject,
                          String result, String method, String detail) {
    /** The portal's steps, by the name stored in the audit log (beside the relay's own events). */
    public enum Step {
        /** A user id was sent while writeback was down. */
        PORTAL_START,
        PORTAL_LOOKUP,
        PORTAL_CODE_SENT,
        PORTAL_VERIFY,
        PORTAL_RESET,
        PORTAL_UNLOCK,
        /** Too many attempts: the user id or the session is locked out for a while. */
        PORTAL_LOCKED
    }

    public PortalAudit {
        requireNonNull(time, "time");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(supportCode, "supportCode");
        requireNonNull(step, "step");
        requireNonNull(subject, "subject");
        requireNonNull(result, "result");
        requireNonNull(method, "method");
        requireNonNull(detail, "detail");
    }
}
