package dev.writeback.systemtests.samba;

import dev.writeback.systemtests.EnvFile;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code KEY=VALUE} file written by {@code system-tests/samba/samba-dc.sh env}: everything a test needs
 * to know about the Samba test domain, and nothing else.
 */
final class SambaEnv {
    private final EnvFile file;

    private SambaEnv(EnvFile file) {
        this.file = file;
    }

    static SambaEnv load(Path file) {
        return new SambaEnv(EnvFile.load("samba env", file));
    }

    /** Returns the value of a key; fails the test when the file lacks it. */
    String get(String key) {
        return file.get(key);
    }

    Path path(String key) {
        return file.path(key);
    }

    /** The password in a password file (the agent reads the same files). */
    String secret(String key) {
        return file.secret(key);
    }

    /** One of the provisioned accounts, by its account name ({@code alice}, {@code padmin}, ...). */
    TestUser account(String name) {
        String key = name.toUpperCase(Locale.ROOT);
        return new TestUser(get(key + "_DN"), get(key + "_SAM"), get(key + "_UPN"), get(key + "_PASSWORD"));
    }
}
