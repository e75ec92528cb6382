package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

/** A store operation that failed, with a stable {@link Kind}. The message names the value and never holds a secret. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a store operation failed. */
    public enum Kind {
        /** A unique value (tenant name, key version) already exists. */
        CONFLICT,
        /** The tenant or agent named by the caller does not exist. */
        NOT_FOUND,
        /** Stored data or a key fails its integrity check, or the wrong master key is in use. */
        CORRUPT,
        /** The database or a key file cannot be reached, read or written right now. */
        UNAVAILABLE,
        /** The schema cannot be brought to the version this code expects. */
        MIGRATION
    }

    private final Kind kind;

    /** Creates an exception with a message such as {@code "tenant name: acme (expected: unique)"}. */
    public StoreException(Kind kind, String message) {
        super(requireNonNull(kind, "kind") + ": " + requireNonNull(message, "message"));
        this.kind = kind;
    }

    /** Same, with the cause that triggered it. */
    public StoreException(Kind kind, String message, Throwable cause) {
        super(requireNonNull(kind, "kind") + ": " + requireNonNull(message, "message"), cause);
        this.kind = kind;
    }

    /** The stable kind. */
    public Kind kind() {
        return kind;
    }
}
