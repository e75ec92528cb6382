package dev.writeback.systemtests;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentConfig;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.agent.embedded.EmbeddedDirectoryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One embedded directory on loopback that several agents write to as if it were a domain controller
 * ({@code type: active-directory} over LDAPS, pinned certificate, the directory's own service account), so a
 * password applied twice by two agents shows in the one directory.
 */
final class SharedDirectory implements AutoCloseable {
    static final String BASE_DN = "DC=corp,DC=example";
    static final Map<String, String> USERS = Map.of(
            "ada", "CN=Ada Lovelace,OU=Staff," + BASE_DN,
            "grace", "CN=Grace Hopper,OU=Staff," + BASE_DN,
            "linus", "CN=Linus Torvalds,OU=Engineering," + BASE_DN);

    final EmbeddedDirectory directory;

    private SharedDirectory(EmbeddedDirectory directory) {
        this.directory = directory;
    }

    /** Starts a directory on ephemeral ports that keeps 24 passwords of history, so every reset leaves a trace. */
    static SharedDirectory start(Path dir) throws Exception {
        var config = new EmbeddedDirectoryConfig("directory", BASE_DN, "127.0.0.1", 0, 0, null, 8, true, 24, 0);
        return new SharedDirectory(EmbeddedDirectory.start(config, dir));
    }

    int ldapsPort() {
        return directory.ldapsPort();
    }

    /** The YAML of a directory entry pointing at {@code url} (this directory, or a proxy in front of it). */
    String yaml(String url) {
        return """
                directories:
                  - name: corp
                    type: active-directory
                    urls: ["%s"]
                    bindDn: "%s"
                    bindPasswordFile: "%s"
                    trustFingerprint: "%s"
                    verifyHostname: false
                    baseDn: "%s"
                    operationTimeout: 20s
                """.formatted(url, directory.serviceAccountDn(), directory.serviceAccountPasswordFile(),
                directory.certificateFingerprint(), BASE_DN);
    }

    String url() {
        return "ldaps://127.0.0.1:" + ldapsPort();
    }

    /** Writes {@code agent.yaml} next to the state directory; {@code relayYaml} goes under {@code relay:}. */
    static Path writeConfig(Path state, String relayYaml, String directoriesYaml) throws Exception {
        Path yaml = state.getParent().resolve("agent.yaml");
        Files.writeString(yaml, "stateDir: state\nheartbeatInterval: 2s\n"
                + (relayYaml.isBlank() ? "" : "relay:\n" + relayYaml.indent(2)) + directoriesYaml);
        return yaml;
    }

    /** Starts an in-JVM agent writing to this directory. */
    Agent agent(Path state, String relayYaml) throws Exception {
        return Agent.start(AgentConfig.load(writeConfig(state, relayYaml, yaml(url()))));
    }

    /** How many password-history hashes each user holds, read from the directory's data file. */
    Map<String, Integer> historySizes() throws Exception {
        directory.compact();   // the latest writes are in the journal until then
        String ldif = Files.readString(directory.dataDir().resolve("directory.ldif"), StandardCharsets.UTF_8);
        var sizes = new HashMap<String, Integer>();
        for (String entry : ldif.split("\\n\\s*\\n")) {
            String unfolded = entry.replace("\n ", "");
            for (var user : USERS.entrySet()) {
                if (unfolded.lines().anyMatch(l -> l.equalsIgnoreCase("dn: " + user.getValue()))) {
                    sizes.put(user.getKey(), (int) unfolded.lines().filter(l -> l.startsWith("writebackPwdHistory:")).count());
                }
            }
        }
        return sizes;
    }

    static List<String> users() {
        return List.of("ada", "grace", "linus");
    }

    @Override
    public void close() {
        directory.close();
    }
}
