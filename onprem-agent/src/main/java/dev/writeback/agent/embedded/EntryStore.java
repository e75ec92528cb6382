package dev.writeback.agent.embedded;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the directory's entries in one LDIF file: exported after each successful write to a temporary file
 * and renamed over the old one, so a crash leaves the previous or the new state, never half of one.
 * Passwords appear only as salted hashes.
 */
final class EntryStore {
    private static final Logger logger = LoggerFactory.getLogger(EntryStore.class);

    private final Path file;
    private volatile InMemoryDirectoryServer server;

    EntryStore(Path file) {
        this.file = file;
    }

    void attach(InMemoryDirectoryServer server) {
        this.server = server;
    }

    boolean exists() {
        return Files.isRegularFile(file);
    }

    void load() throws LDAPException {
        int count = server.importFromLDIF(true, file.toFile());
        logger.info("DIR-302 embedded directory loaded entries={} file={}", count, file);
    }

    /** Writes the current entries; a failure is logged, the write it follows has already succeeded. */
    synchronized void save() {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            OwnerOnly.restrict(tmp);
            server.exportToLDIF(tmp.toString(), true, true);
            OwnerOnly.moveAtomically(tmp, file);
        } catch (IOException | LDAPException e) {
            logger.warn("DIR-310 embedded directory could not save entries file={}", file, e);
        }
    }
}
