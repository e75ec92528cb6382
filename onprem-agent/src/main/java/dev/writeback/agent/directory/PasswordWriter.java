package dev.writeback.agent.directory;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.Secret;
import java.util.Optional;

/** Password operations on one directory. Implementations never throw for directory problems. */
interface PasswordWriter extends AutoCloseable {

    /** The DN the anchor names in this directory, empty when none; throws for MULTIPLE_MATCHES or unavailability. */
    Optional<String> locate(Anchor anchor) throws DirectoryException;

    Outcome reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChangeAtNextLogon);

    Outcome change(Anchor anchor, Secret currentPassword, Secret newPassword);

    Outcome unlock(Anchor anchor);

    /**
     * Finds the account a typed user id names inside the scopes and answers with its profile (SUCCESS), or
     * USER_NOT_FOUND, MULTIPLE_MATCHES, a directory failure; NOT_SUPPORTED where the directory type has no lookup.
     */
    default Outcome lookup(String userId) {
        return new Outcome(dev.writeback.protocol.ResultCode.NOT_SUPPORTED, dev.writeback.protocol.PolicyReason.NONE,
                "This directory cannot look accounts up.", "LOOKUP is not supported by this directory type", "", "", 0);
    }

    /** Reads the rootDSE once, for the background health check. */
    DirectoryHealth checkHealth();

    /** One line for the startup log, without secrets. */
    String describe();

    @Override
    void close();
}
