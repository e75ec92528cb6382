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

    /** Reads the rootDSE once, for the background health check. */
    DirectoryHealth checkHealth();

    /** One line for the startup log, without secrets. */
    String describe();

    @Override
    void close();
}
