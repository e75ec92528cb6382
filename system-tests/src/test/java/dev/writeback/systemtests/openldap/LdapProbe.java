package dev.writeback.systemtests.openldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.writeback.systemtests.EnvFile;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.net.SocketFactory;

/**
 * Looks at the OpenLDAP test directory from the outside, independently of the agent: binds as end users over
 * LDAPS with the password policy control, reads the ppolicy state ({@code pwdAccountLockedTime}, {@code pwdReset},
 * {@code pwdHistory}) as the rootdn, and creates or repairs test entries.
 */
final class LdapProbe implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final EnvFile env;
    private final SocketFactory tls;
    private final LDAPURL url;
    private final LDAPConnection root;

    LdapProbe(EnvFile env) throws LDAPException, GeneralSecurityException {
        this.env = env;
        this.tls = new SSLUtil(new PEMFileTrustManager(env.path("CA_PEM").toFile())).createSSLSocketFactory();
        this.url = new LDAPURL(env.get("LDAPS_URL"));
        this.root = connect();
        root.bind(env.get("ROOT_DN"), env.secret("ROOT_PASSWORD_FILE"));
    }

    private LDAPConnection connect() throws LDAPException {
        var options = new LDAPConnectionOptions();
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        options.setConnectTimeoutMillis(TIMEOUT_MILLIS);
        options.setResponseTimeoutMillis(TIMEOUT_MILLIS);
        return new LDAPConnection(tls, options, url.getHost(), url.getPort());
    }

    /**
     * Binds as {@code dn} on a new connection; empty when the bind worked, else the result code, the diagnostic
     * and the ppolicy error (e.g. {@code invalidCredentials ... ppolicy=ACCOUNT_LOCKED}).
     */
    Optional<String> bindFailure(String dn, String password) throws LDAPException {
        try (LDAPConnection connection = connect()) {
            connection.bind(new SimpleBindRequest(dn, password, new DraftBeheraLDAPPasswordPolicy10RequestControl()));
            return Optional.empty();
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                return Optional.of(e.getResultCode() + ": " + e.getDiagnosticMessage() + " ppolicy="
                        + policyError(e.toLDAPResult()));
            }
            throw e;
        }
    }

    /** The ppolicy error a successful bind reports ({@code CHANGE_AFTER_RESET} after a forced reset), else "none". */
    String policyOnBind(String dn, String password) throws LDAPException {
        try (LDAPConnection connection = connect()) {
            BindResult result = connection.bind(new SimpleBindRequest(dn, password,
                    new DraftBeheraLDAPPasswordPolicy10RequestControl()));
            return policyError(result);
        }
    }

    /** Fails {@code count} binds with a wrong password (each one counts towards pwdMaxFailure). */
    void badBinds(String dn, int count) throws LDAPException {
        for (int i = 0; i < count; i++) {
            bindFailure(dn, "Wrong-Password-" + i);
        }
    }

    private static String policyError(LDAPResult result) throws LDAPException {
        var control = DraftBeheraLDAPPasswordPolicy10ResponseControl.get(result);
        return control == null || control.getErrorType() == null ? "none" : control.getErrorType().name();
    }

    SearchResultEntry read(String dn, String... attributes) throws LDAPException {
        SearchResultEntry entry = root.getEntry(dn, attributes);
        if (entry == null) {
            throw new IllegalStateException("no entry " + dn);
        }
        return entry;
    }

    /** One value of an (operational) attribute as the rootdn reads it; null when absent. */
    String value(String dn, String attribute) throws LDAPException {
        return read(dn, attribute).getAttributeValue(attribute);
    }

    /** All values of an attribute, e.g. the {@code pwdHistory} entries. */
    List<String> values(String dn, String attribute) throws LDAPException {
        String[] values = read(dn, attribute).getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    /** Creates an {@code inetOrgPerson} named {@code it-<random>} in {@code parentDn}, through the overlays. */
    LdapUser createUser(String parentDn, String password, Attribute... extra) throws LDAPException {
        String uid = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String mail = uid + "@writeback.test";
        String dn = new DN("uid=" + uid + "," + parentDn).toString();
        var entry = new Entry(dn);
        entry.addAttribute("objectClass", "inetOrgPerson");
        entry.addAttribute("uid", uid);
        entry.addAttribute("cn", uid);
        entry.addAttribute("sn", "Test");
        entry.addAttribute("mail", mail);
        entry.addAttribute("userPassword", password);
        for (Attribute attribute : extra) {
            entry.addAttribute(attribute);
        }
        root.add(entry);
        return new LdapUser(dn, uid, mail, password);
    }

    /** Adds an entry as the rootdn (a password policy, for one). */
    void add(Entry entry) throws LDAPException {
        root.add(entry);
    }

    void delete(String dn) throws LDAPException {
        root.delete(dn);
    }

    /** The rootdn sets the password: no policy applies, so it restores any earlier password. */
    void setPassword(String dn, String password) throws LDAPException {
        replace(dn, "userPassword", password);
    }

    void replace(String dn, String attribute, String... values) throws LDAPException {
        root.modify(dn, new Modification(ModificationType.REPLACE, attribute, values));
    }

    void add(String dn, String attribute, String... values) throws LDAPException {
        root.modify(dn, new Modification(ModificationType.ADD, attribute, values));
    }

    /** Removes an attribute; nothing happens when it is absent. */
    void remove(String dn, String attribute) throws LDAPException {
        root.modify(dn, new Modification(ModificationType.REPLACE, attribute));
    }

    String env(String key) {
        return env.get(key);
    }

    @Override
    public void close() {
        root.close();
    }
}
