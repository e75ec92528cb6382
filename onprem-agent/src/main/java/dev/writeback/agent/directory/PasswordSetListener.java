package dev.writeback.agent.directory;

import dev.writeback.protocol.Secret;

/**
 * Told when this agent has just set or changed a password in an Active Directory (or the embedded directory), on
 * the worker thread, before the operation's result is sent and before the new password is wiped: the seam
 * through which password hash sync pushes writeback's own changes at once. An implementation takes what it needs
 * from {@code newPassword} at once (it is wiped right after) and must not block or throw.
 */
@FunctionalInterface
public interface PasswordSetListener {
    /**
     * @param directory the directory's {@code name}
     * @param anchor the account as hash sync names it ({@code guid:…})
     * @param upn its userPrincipalName, may be empty
     * @param newPassword the password just set
     * @param mustChange whether the user must change it at next logon (then it is not synced)
     */
    void passwordSet(String directory, String anchor, String upn, Secret newPassword, boolean mustChange);
}
