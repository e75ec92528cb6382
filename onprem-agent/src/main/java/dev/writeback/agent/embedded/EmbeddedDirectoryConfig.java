package dev.writeback.agent.embedded;

import dev.writeback.protocol.ConfigPaths;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * Settings of the embedded directory ({@code embedded:} under a directory of {@code type: embedded}).
 *
 * @param dataDir where entries, the TLS key pair and the service account password live; blank for
 *                {@value #DEFAULT_DATA_DIR} in the agent state directory. In {@code agent.yaml} a relative value is
 *                resolved against the file's folder like every other path; {@link EmbeddedDirectory#start} resolves a
 *                still-relative value against the state directory
 * @param baseDn the naming context, for example {@code DC=corp,DC=example}
 * @param host the loopback address to listen on
 * @param ldapPort the LDAP (StartTLS) port, 0 for an ephemeral port
 * @param ldapsPort the LDAPS port, 0 for an ephemeral port
 * @param seedLdif an LDIF file loaded on first start; empty for the built-in sample users (relative to
 *                 {@code agent.yaml}'s folder)
 * @param minPasswordLength the domain's minimum password length
 * @param complexity whether AD complexity applies
 * @param historyLength how many previous passwords a change may not reuse
 * @param lockoutThreshold failed binds before the account locks, 0 for never
 */
public record EmbeddedDirectoryConfig(String dataDir, String baseDn, String host, Integer ldapPort,
                                      Integer ldapsPort, String seedLdif, Integer minPasswordLength,
                                      Boolean complexity, Integer historyLength, Integer lockoutThreshold) {
    /** The built-in sample directory's naming context. */
    public static final String DEFAULT_BASE_DN = "DC=corp,DC=example";
    /** The data directory, inside the agent state directory, when {@code dataDir} is not set. */
    public static final String DEFAULT_DATA_DIR = "embedded-directory";

    public EmbeddedDirectoryConfig {
        dataDir = dataDir == null ? "" : dataDir.strip();
        baseDn = baseDn == null || baseDn.isBlank() ? DEFAULT_BASE_DN : baseDn;
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        ldapPort = ldapPort == null ? 10389 : ldapPort;
        ldapsPort = ldapsPort == null ? 10636 : ldapsPort;
        seedLdif = seedLdif == null ? "" : seedLdif;
        minPasswordLength = minPasswordLength == null ? 8 : minPasswordLength;
        complexity = complexity == null || complexity;
        historyLength = historyLength == null ? 5 : historyLength;
        lockoutThreshold = lockoutThreshold == null ? 5 : lockoutThreshold;
    }

    /** The defaults: the sample users on 127.0.0.1, ports 10389/10636. */
    public static EmbeddedDirectoryConfig defaults() {
        return new EmbeddedDirectoryConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /** The same settings on ephemeral ports in the given data directory (tests, demos). */
    public EmbeddedDirectoryConfig withEphemeralPorts(String dataDir) {
        return new EmbeddedDirectoryConfig(dataDir, baseDn, host, 0, 0, seedLdif, minPasswordLength, complexity,
                historyLength, lockoutThreshold);
    }

    /** These settings with {@code dataDir} and {@code seedLdif} resolved against {@code base} ({@link ConfigPaths}). */
    public EmbeddedDirectoryConfig withPathsResolvedAgainst(Path base) {
        return new EmbeddedDirectoryConfig(ConfigPaths.resolveText(base, dataDir), baseDn, host, ldapPort, ldapsPort,
                ConfigPaths.resolveText(base, seedLdif), minPasswordLength, complexity, historyLength, lockoutThreshold);
    }

    /** The data directory: {@code dataDir} resolved against {@code stateDir}, or the default inside it. */
    public Path dataDirIn(Path stateDir) {
        return stateDir.resolve(dataDir.isBlank() ? DEFAULT_DATA_DIR : dataDir).toAbsolutePath().normalize();
    }

    /**
     * Checks the values; the exception message starts with {@code key} plus the field, for example
     * {@code directories[0].embedded.host: 0.0.0.0 (expected: a loopback address)}.
     */
    public void validate(String key) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException(key + ".host: " + host + " (expected: a loopback address such as 127.0.0.1)");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + ".host: " + host + " (expected: a loopback address such as 127.0.0.1)", e);
        }
        checkPort(key + ".ldapPort", ldapPort);
        checkPort(key + ".ldapsPort", ldapsPort);
        if (ldapPort != 0 && ldapPort.equals(ldapsPort)) {
            throw new IllegalArgumentException(key + ".ldapsPort: " + ldapsPort + " (expected: different from ldapPort)");
        }
        checkRange(key + ".minPasswordLength", minPasswordLength, 0, 256);
        checkRange(key + ".historyLength", historyLength, 0, 24);
        checkRange(key + ".lockoutThreshold", lockoutThreshold, 0, 999);
    }

    private static void checkPort(String key, int port) {
        checkRange(key, port, 0, 65535);
    }

    private static void checkRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + min + ".." + max + ")");
        }
    }
}
