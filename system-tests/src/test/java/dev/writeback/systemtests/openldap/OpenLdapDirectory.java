package dev.writeback.systemtests.openldap;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.systemtests.EnvFile;
import dev.writeback.systemtests.TestDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assertions;

/**
 * The OpenLDAP test directory started by {@code system-tests/openldap/slapd.sh up}. When its env file is missing
 * every test is skipped, saying why, except under {@code CI=true} (without {@code WRITEBACK_SKIP_OPENLDAP}),
 * where the suite must run and each test fails.
 * Opens the agent's directory layer against it (configured through YAML as in {@code agent.yaml}) and undoes
 * what a test registered with {@link #afterTest} or created with {@link #newUser}.
 *
 * <p>Register as a static field: {@code @RegisterExtension static final OpenLdapDirectory slapd = new OpenLdapDirectory();}
 */
final class OpenLdapDirectory extends TestDirectory<EnvFile, LdapProbe> {
    /** Password given to entries created by {@link #newUser}: long enough for pwdMinLength. */
    static final String INITIAL_PASSWORD = "Start-Pass-11";

    OpenLdapDirectory() {
        super("openldap.env", "target/openldap/env", "WRITEBACK_SKIP_OPENLDAP", "no OpenLDAP test directory (start"
                + " one with system-tests/openldap/slapd.sh up; see docs/ldap.md)");
    }

    @Override
    protected EnvFile load(Path file) {
        return EnvFile.load("openldap env", file);
    }

    @Override
    protected LdapProbe openProbe(EnvFile env) throws Exception {
        return new LdapProbe(env);
    }

    /** A new entry in {@code ou=people} with {@link #INITIAL_PASSWORD}, deleted after the test. */
    LdapUser newUser(Attribute... extra) throws Exception {
        return newUserIn(env().get("PEOPLE_OU"), extra);
    }

    LdapUser newUserIn(String parentDn, Attribute... extra) throws Exception {
        LdapUser user = probe().createUser(parentDn, INITIAL_PASSWORD, extra);
        afterTest(() -> probe().delete(user.dn()));
        return user;
    }

    /**
     * A new entry in {@code ou=people} locked by pwdMaxFailure failed binds, as a user who mistyped would be;
     * checked from outside (pwdAccountLockedTime set, a bind with the right password meets accountLocked).
     */
    LdapUser newLockedUser() throws Exception {
        LdapUser user = newUser();
        probe().badBinds(user.dn(), Integer.parseInt(env().get("MAX_FAILURE")));
        Assertions.assertNotNull(probe().value(user.dn(), "pwdAccountLockedTime"), "pwdAccountLockedTime after failed binds");
        String failure = probe().bindFailure(user.dn(), INITIAL_PASSWORD).orElse("bind worked");
        Assertions.assertTrue(failure.contains("ppolicy=ACCOUNT_LOCKED"), failure);
        return user;
    }

    /** One of the entries slapd.sh provisioned ({@code padmin}, {@code outsider}, ...). */
    LdapUser account(String name) {
        String key = name.toUpperCase(Locale.ROOT);
        return new LdapUser(env().get(key + "_DN"), env().get(key + "_UID"), env().get(key + "_MAIL"), env().get(key + "_PASSWORD"));
    }

    /** Puts a provisioned entry's password back after the test, should a refused operation have gone through. */
    void restoreAfterTest(LdapUser account) {
        afterTest(() -> probe().setPassword(account.dn(), account.password()));
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
    @Override
    protected Map<String, Object> defaultConfig() {
        var ldap = new LinkedHashMap<String, Object>();
        ldap.put("protectedFilter", "(memberOf=" + env().get("ADMINS_GROUP_DN") + ")");
        ldap.put("defaultPolicyDn", env().get("DEFAULT_POLICY_DN"));
        var config = new LinkedHashMap<String, Object>();
        config.put("name", "openldap");
        config.put("type", "ldap");
        config.put("urls", List.of(env().get("LDAPS_URL")));
        config.put("bindDn", env().get("SERVICE_DN"));
        config.put("bindPasswordFile", env().get("SERVICE_PASSWORD_FILE"));
        config.put("trustCaFile", env().get("CA_PEM"));
        config.put("baseDn", env().get("BASE_DN"));
        config.put("scopes", List.of(env().get("PEOPLE_OU"), env().get("CONTRACTORS_OU")));
        config.put("ldap", ldap);
        return config;
    }
}
