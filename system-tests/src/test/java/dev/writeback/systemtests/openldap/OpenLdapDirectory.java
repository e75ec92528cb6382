package dev.writeback.systemtests.openldap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.directory.DirectoryConfig;
import dev.writeback.systemtests.Cleanups;
import dev.writeback.systemtests.EnvFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The OpenLDAP test directory started by {@code system-tests/openldap/slapd.sh up}. When its env file is missing
 * every test is skipped, saying why, except under {@code CI=true} (without {@code WRITEBACK_SKIP_OPENLDAP}),
 * where the suite must run and each test fails.
 * Opens the agent's directory layer against it (configured through YAML as in {@code agent.yaml}) and undoes
 * what a test registered with {@link #afterTest} or created with {@link #newUser}.
 *
 * <p>Register as a static field: {@code @RegisterExtension static final OpenLdapDirectory slapd = new OpenLdapDirectory();}
 */
final class OpenLdapDirectory implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    /** Password given to entries created by {@link #newUser}: long enough for pwdMinLength. */
    static final String INITIAL_PASSWORD = "Start-Pass-11";

    private static final ObjectMapper YAML = new YAMLMapper();

    private final Cleanups cleanups = new Cleanups();
    private Path file;
    private EnvFile env;
    private LdapProbe probe;
    private Path stateDir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String property = System.getProperty("openldap.env");
        file = Path.of(property == null ? "target/openldap/env" : property);
        if (!Files.isRegularFile(file)) {
            return;   // each test is skipped (or failed under CI) in beforeEach, so the reports show each one
        }
        env = EnvFile.load("openldap env", file);
        probe = new LdapProbe(env);
        stateDir = Files.createTempDirectory("openldap-it-state");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (env == null) {
            String why = "no OpenLDAP test directory: " + file + " does not exist; start one with"
                    + " system-tests/openldap/slapd.sh up (see docs/ldap.md)";
            boolean skipped = System.getenv("WRITEBACK_SKIP_OPENLDAP") != null;
            if ("true".equalsIgnoreCase(System.getenv("CI")) && !skipped) {
                Assertions.fail("CI=true needs the OpenLDAP suite: " + why);
            }
            Assumptions.abort(why);
        }
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

    /** The env file, null when no directory runs (the tests are then skipped). */
    EnvFile env() {
        return env;
    }

    LdapProbe probe() {
        return probe;
    }

    /** Runs {@code undo} after the current test, whether it passed or not (last registered runs first). */
    void afterTest(AutoCloseable undo) {
        cleanups.push(undo);
    }

    /** A new entry in {@code ou=people} with {@link #INITIAL_PASSWORD}, deleted after the test. */
    LdapUser newUser(Attribute... extra) throws Exception {
        return newUserIn(env.get("PEOPLE_OU"), extra);
    }

    LdapUser newUserIn(String parentDn, Attribute... extra) throws Exception {
        LdapUser user = probe.createUser(parentDn, INITIAL_PASSWORD, extra);
        afterTest(() -> probe.delete(user.dn()));
        return user;
    }

    /**
     * A new entry in {@code ou=people} locked by pwdMaxFailure failed binds, as a user who mistyped would be;
     * checked from outside (pwdAccountLockedTime set, a bind with the right password meets accountLocked).
     */
    LdapUser newLockedUser() throws Exception {
        LdapUser user = newUser();
        probe.badBinds(user.dn(), Integer.parseInt(env.get("MAX_FAILURE")));
        Assertions.assertNotNull(probe.value(user.dn(), "pwdAccountLockedTime"), "pwdAccountLockedTime after failed binds");
        String failure = probe.bindFailure(user.dn(), INITIAL_PASSWORD).orElse("bind worked");
        Assertions.assertTrue(failure.contains("ppolicy=ACCOUNT_LOCKED"), failure);
        return user;
    }

    /** One of the entries slapd.sh provisioned ({@code padmin}, {@code outsider}, ...). */
    LdapUser account(String name) {
        String key = name.toUpperCase(Locale.ROOT);
        return new LdapUser(env.get(key + "_DN"), env.get(key + "_UID"), env.get(key + "_MAIL"), env.get(key + "_PASSWORD"));
    }

    /** Puts a provisioned entry's password back after the test, should a refused operation have gone through. */
    void restoreAfterTest(LdapUser account) {
        afterTest(() -> probe.setPassword(account.dn(), account.password()));
    }

    /** The agent's directory layer with the default configuration, closed after the test. */
    Directories directories() throws Exception {
        return directories(config -> { });
    }

    /** The agent's directory layer with the default configuration changed by {@code customize}. */
    Directories directories(Consumer<Map<String, Object>> customize) throws Exception {
        Map<String, Object> config = defaultConfig();
        customize.accept(config);
        DirectoryConfig directory = YAML.readValue(YAML.writeValueAsString(config), DirectoryConfig.class);
        Directories directories = Directories.open(List.of(directory), stateDir);
        afterTest(directories);
        return directories;
    }

    /** The default configuration as the {@code directories:} block of an {@code agent.yaml}, indented by two spaces. */
    String agentYaml() throws Exception {
        String yaml = YAML.writeValueAsString(List.of(defaultConfig())).replaceFirst("^---\\n", "");
        return yaml.lines().map(line -> "  " + line).collect(Collectors.joining("\n", "", "\n"));
    }

    /** The {@code ldap:} block of a configuration map, for {@code customize}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> ldapBlock(Map<String, Object> config) {
        return (Map<String, Object>) config.get("ldap");
    }

    /**
     * {@code type: ldap} over LDAPS with the test CA; scopes people and contractors (partners is outside);
     * members of the admins group protected; the default policy read for the heartbeat.
     */
    private Map<String, Object> defaultConfig() {
        var ldap = new LinkedHashMap<String, Object>();
        ldap.put("protectedFilter", "(memberOf=" + env.get("ADMINS_GROUP_DN") + ")");
        ldap.put("defaultPolicyDn", env.get("DEFAULT_POLICY_DN"));
        var config = new LinkedHashMap<String, Object>();
        config.put("name", "openldap");
        config.put("type", "ldap");
        config.put("urls", List.of(env.get("LDAPS_URL")));
        config.put("bindDn", env.get("SERVICE_DN"));
        config.put("bindPasswordFile", env.get("SERVICE_PASSWORD_FILE"));
        config.put("trustCaFile", env.get("CA_PEM"));
        config.put("baseDn", env.get("BASE_DN"));
        config.put("scopes", List.of(env.get("PEOPLE_OU"), env.get("CONTRACTORS_OU")));
        config.put("ldap", ldap);
        return config;
    }
}
