package dev.writeback.systemtests.samba;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.directory.DirectoryConfig;
import dev.writeback.systemtests.Cleanups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Samba AD test domain started by {@code system-tests/samba/samba-dc.sh up}. Skips every test, saying
 * why, when the domain's env file is missing (no DC on this machine); opens the agent's directory layer
 * against it; and undoes what a test registered with {@link #afterTest} or created with {@link #newUser}.
 *
 * <p>Register as a static field: {@code @RegisterExtension static final SambaDomain samba = new SambaDomain();}
 */
final class SambaDomain implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    /** Password given to accounts created by {@link #newUser}. */
    static final String INITIAL_PASSWORD = "Start-Pass-11";

    private static final YAMLMapper YAML = new YAMLMapper();

    private final Cleanups cleanups = new Cleanups();
    private Path file;
    private SambaEnv env;
    private DirectoryProbe probe;
    private Path stateDir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String property = System.getProperty("samba.env");
        file = Path.of(property == null ? "target/samba/env" : property);
        if (!Files.isRegularFile(file)) {
            return;   // every test is skipped in beforeEach, so the reports show each one and why
        }
        env = SambaEnv.load(file);
        probe = new DirectoryProbe(env);
        stateDir = Files.createTempDirectory("samba-it-state");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Assumptions.assumeTrue(env != null, () -> "no Samba test domain: " + file + " does not exist;"
                + " start one with system-tests/samba/samba-dc.sh up (see system-tests/samba/README.md)");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        cleanups.runAll();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (probe != null) {
            probe.close();
        }
        Cleanups.deleteTree(stateDir);
    }

    SambaEnv env() {
        return env;
    }

    DirectoryProbe probe() {
        return probe;
    }

    /** Runs {@code undo} after the current test, whether it passed or not (last registered runs first). */
    void afterTest(AutoCloseable undo) {
        cleanups.push(undo);
    }

    /** A new account in {@code OU=Staff} with {@link #INITIAL_PASSWORD}, deleted after the test. */
    TestUser newUser(Attribute... extra) throws Exception {
        return newUserIn(env.get("STAFF_OU"), extra);
    }

    TestUser newUserIn(String parentDn, Attribute... extra) throws Exception {
        TestUser user = probe.createUser(parentDn, INITIAL_PASSWORD, extra);
        afterTest(() -> probe.delete(user.dn()));
        return user;
    }

    /** A new account with the given sAMAccountName (and CN) in {@code parentDn}, deleted after the test. */
    TestUser newUserNamed(String parentDn, String sam) throws Exception {
        TestUser user = probe.createUser(parentDn, sam, INITIAL_PASSWORD);
        afterTest(() -> probe.delete(user.dn()));
        return user;
    }

    /** The agent's directory layer with the default configuration (LDAPS, PDC preferred), closed after the test. */
    Directories directories() throws Exception {
        return directories(config -> { });
    }

    /**
     * The agent's directory layer with the default configuration changed by {@code customize}, closed after
     * the test. The configuration goes through YAML as it would in {@code agent.yaml}.
     */
    Directories directories(Consumer<Map<String, Object>> customize) throws Exception {
        Map<String, Object> config = defaultConfig();
        customize.accept(config);
        DirectoryConfig directory = YAML.readValue(YAML.writeValueAsString(config), DirectoryConfig.class);
        Directories directories = Directories.open(List.of(directory), stateDir);
        afterTest(directories);
        return directories;
    }

    private Map<String, Object> defaultConfig() {
        var config = new LinkedHashMap<String, Object>();
        config.put("name", "samba");
        config.put("type", "active-directory");
        config.put("urls", List.of(env.get("LDAPS_URL")));
        config.put("startTls", false);
        config.put("bindDn", env.get("SERVICE_DN"));
        config.put("bindPasswordFile", env.get("SERVICE_PASSWORD_FILE"));
        config.put("trustCaFile", env.get("CA_PEM"));
        config.put("verifyHostname", true);
        config.put("baseDn", env.get("BASE_DN"));
        config.put("scopes", List.of(env.get("STAFF_OU"), env.get("CONTRACTORS_OU"), env.get("RESTRICTED_OU")));
        config.put("allowProtectedAccounts", false);
        config.put("preferPdcEmulator", true);
        return config;
    }
}
