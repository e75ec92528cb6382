package dev.writeback.agent.hashsync;

import java.io.IOException;
import java.util.List;

/** Where NT hashes come from: the embedded directory, Samba AD ({@code samba-tool}), ... User objects only. */
public interface HashSource {
    /** A name for logs and status. */
    String name();

    /** Every user object in scope, with its current NT hash; the caller wipes each after use. */
    List<SourceUser> users() throws IOException;

    /**
     * Every user, as {@link #users()}; with {@code full} (the first cycle, or a full sync an administrator asked
     * for) a source that reads changes incrementally reads everything again from the directory.
     */
    default List<SourceUser> users(boolean full) throws IOException {
        return users();
    }
}
