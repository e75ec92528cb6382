package dev.writeback.agent.hashsync;

import static java.util.Objects.requireNonNull;

import dev.writeback.agent.embedded.EmbeddedDirectory;
import java.io.IOException;
import java.util.List;

/** The embedded directory as a hash source: it keeps each user's NT hash as AD does (hidden from LDAP reads). */
public final class EmbeddedHashSource implements HashSource {
    private final EmbeddedDirectory directory;

    public EmbeddedHashSource(EmbeddedDirectory directory) {
        this.directory = requireNonNull(directory, "directory");
    }

    @Override
    public String name() {
        return "embedded";
    }

    @Override
    public List<SourceUser> users() throws IOException {
        return directory.passwordHashes();
    }
}
