package dev.writeback.systemtests.samba;

import dev.writeback.systemtests.EnvFile;
import java.nio.file.Path;
import java.util.List;
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

    /** The domain's own passwords (service account, Administrator): what no log or store may ever show. */
    List<String> domainSecrets() {
        return List.of(secret("SERVICE_PASSWORD_FILE"), secret("ADMIN_PASSWORD_FILE"));
    }

    /** One of the provisioned accounts, by its account name ({@code alice}, {@code padmin}, ...). */
    TestUser account(String name) {
        String key = name.toUpperCase(Locale.ROOT);
        return new TestUser(get(key + "_DN"), get(key + "_SAM"), get(key + "_UPN"), get(key + "_PASSWORD"));
    }

    /**
     * The agent.yaml list item of an {@code active-directory} directory named {@code samba} for this domain (LDAPS,
     * the service account, the domain's CA), with the given scope keys ({@code STAFF_OU}, ...), indented for
     * {@code directories:}.
     */
    String directoryYaml(String... scopeKeys) {
        String scopes = java.util.Arrays.stream(scopeKeys).map(k -> "\"" + get(k) + "\"")
                .collect(java.util.stream.Collectors.joining(", "));
        return """
                  - name: samba
                    type: active-directory
                    urls: ["%s"]
                    bindDn: "%s"
                    bindPasswordFile: "%s"
                    trustCaFile: "%s"
                    baseDn: "%s"
                    scopes: [%s]
                """.formatted(get("LDAPS_URL"), get("SERVICE_DN"), get("SERVICE_PASSWORD_FILE"), get("CA_PEM"),
                get("BASE_DN"), scopes);
    }
}
