package dev.writeback.agent.directory;

/**
 * A directory setting that cannot work. The message names the YAML key, the value and what was expected, for
 * example {@code directories[0].urls[0]: ldap://dc1:389 (expected: ldaps:// or startTls: true)}; it never holds a
 * password.
 */
public final class DirectoryConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A setting problem described by {@code message}. */
    public DirectoryConfigException(String message) {
        super(message);
    }

    /** A setting problem with its cause, for example an unreadable file. */
    public DirectoryConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
