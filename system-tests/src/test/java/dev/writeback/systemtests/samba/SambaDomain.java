package dev.writeback.systemtests.samba;

import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.systemtests.TestDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Samba AD test domain started by {@code system-tests/samba/samba-dc.sh up}. Skips every test, saying
 * why, when the domain's env file is missing (no DC on this machine; under CI each test fails); opens the agent's directory layer
 * against it; and undoes what a test registered with {@link #afterTest} or created with {@link #newUser}.
 *
 * <p>Register as a static field: {@code @RegisterExtension static final SambaDomain samba = new SambaDomain();}
 */
final class SambaDomain extends TestDirectory<SambaEnv, DirectoryProbe> {
    /** Password given to accounts created by {@link #newUser}. */
    static final String INITIAL_PASSWORD = "Start-Pass-11";

    SambaDomain() {
        super("samba.env", "target/samba/env", "WRITEBACK_SKIP_SAMBA", "no Samba test domain (start one with"
                + " system-tests/samba/samba-dc.sh up; see system-tests/samba/README.md)");
    }

    @Override
    protected SambaEnv load(Path file) {
        return SambaEnv.load(file);
    }

    @Override
    protected DirectoryProbe openProbe(SambaEnv env) throws Exception {
        return new DirectoryProbe(env);
    }

    /** A new account in {@code OU=Staff} with {@link #INITIAL_PASSWORD}, deleted after the test. */
    TestUser newUser(Attribute... extra) throws Exception {
        return newUserIn(env().get("STAFF_OU"), extra);
    }

    TestUser newUserIn(String parentDn, Attribute... extra) throws Exception {
        TestUser user = probe().createUser(parentDn, INITIAL_PASSWORD, extra);
        afterTest(() -> probe().delete(user.dn()));
        return user;
    }

    /** A new account with the given sAMAccountName (and CN) in {@code parentDn}, deleted after the test. */
    TestUser newUserNamed(String parentDn, String sam) throws Exception {
        TestUser user = probe().createUser(parentDn, sam, INITIAL_PASSWORD);
        afterTest(() -> probe().delete(user.dn()));
        return user;
    }

    @Override
    protected Map<String, Object> defaultConfig() {
        var config = new LinkedHashMap<String, Object>();
        config.put("name", "samba");
        config.put("type", "active-directory");
        config.put("urls", List.of(env().get("LDAPS_URL")));
        config.put("startTls", false);
        config.put("bindDn", env().get("SERVICE_DN"));
        config.put("bindPasswordFile", env().get("SERVICE_PASSWORD_FILE"));
        config.put("trustCaFile", env().get("CA_PEM"));
        config.put("verifyHostname", true);
        config.put("baseDn", env().get("BASE_DN"));
        config.put("scopes", List.of(env().get("STAFF_OU"), env().get("CONTRACTORS_OU"), env().get("RESTRICTED_OU")));
        config.put("allowProtectedAccounts", false);
        config.put("preferPdcEmulator", true);
        return config;
    }
}
