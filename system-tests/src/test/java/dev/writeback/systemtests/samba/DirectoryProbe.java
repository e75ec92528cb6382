package dev.writeback.systemtests.samba;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.UUID;
import javax.net.SocketFactory;

/**
 * Looks at the test domain from the outside, independently of the agent: binds as end users over LDAPS,
 * reads account state as Administrator, and creates or repairs test accounts.
 */
final class DirectoryProbe implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final SambaEnv env;
    private final SocketFactory tls;
    private final LDAPURL url;
    private final LDAPConnection admin;

    DirectoryProbe(SambaEnv env) throws LDAPException, GeneralSecurityException {
        this.env = env;
        this.tls = new SSLUtil(new PEMFileTrustManager(env.path("CA_PEM").toFile())).createSSLSocketFactory();
        this.url = new LDAPURL(env.get("LDAPS_URL"));
        this.admin = connect();
        admin.bind(env.get("ADMIN_DN"), env.secret("ADMIN_PASSWORD_FILE"));
    }

    private LDAPConnection connect() throws LDAPException {
        var options = new LDAPConnectionOptions();
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        options.setConnectTimeoutMillis(TIMEOUT_MILLIS);
        options.setResponseTimeoutMillis(TIMEOUT_MILLIS);
        return new LDAPConnection(tls, options, url.getHost(), url.getPort());
    }

    /** Binds as {@code dn} on a new connection; empty when the bind worked, else the diagnostic. */
    Optional<String> bindFailure(String dn, String password) throws LDAPException {
        try (LDAPConnection connection = connect()) {
            connection.bind(dn, password);
            return Optional.empty();
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                return Optional.of(e.getResultCode() + ": " + e.getDiagnosticMessage());
            }
            throw e;
        }
    }

    /** Fails {@code count} binds with a wrong password (each one counts towards lockout). */
    void badBinds(String dn, int count) throws LDAPException {
        for (int i = 0; i < count; i++) {
            bindFailure(dn, "Wrong-Password-" + i);
        }
    }

    SearchResultEntry read(String dn, String... attributes) throws LDAPException {
        SearchResultEntry entry = admin.getEntry(dn, attributes);
        if (entry == null) {
            throw new IllegalStateException("no entry " + dn);
        }
        return entry;
    }

    /** A large-integer attribute such as pwdLastSet, lockoutTime or badPwdCount; 0 when absent. */
    long number(String dn, String attribute) throws LDAPException {
        Long value = read(dn, attribute).getAttributeValueAsLong(attribute);
        return value == null ? 0 : value;
    }

    byte[] objectGuid(String dn) throws LDAPException {
        return read(dn, "objectGUID").getAttributeValueBytes("objectGUID");
    }

    /** Creates an enabled user with a random name in {@code parentDn}; extra attributes are added as given. */
    TestUser createUser(String parentDn, String password, Attribute... extra) throws LDAPException {
        return createUser(parentDn, "it-" + UUID.randomUUID().toString().substring(0, 8), password, extra);
    }

    /** Creates an enabled user named {@code sam} (also its CN) in {@code parentDn}. */
    TestUser createUser(String parentDn, String sam, String password, Attribute... extra) throws LDAPException {
        String upn = sam + "@" + env.get("DNS_DOMAIN");
        String dn = new DN("CN=" + sam + "," + parentDn).toString();
        var entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", "person", "organizationalPerson", "user");
        entry.addAttribute("sAMAccountName", sam);
        entry.addAttribute("userPrincipalName", upn);
        entry.addAttribute("unicodePwd", unicodePwd(password));
        entry.addAttribute("userAccountControl", "512");
        for (Attribute attribute : extra) {
            entry.addAttribute(attribute);
        }
        admin.add(entry);
        return new TestUser(dn, sam, upn, password);
    }

    void delete(String dn) throws LDAPException {
        admin.delete(dn);
    }

    /** Administrator reset; skips history and minimum age, so it restores any earlier password. */
    void resetPassword(String dn, String password) throws LDAPException {
        admin.modify(dn, new Modification(ModificationType.REPLACE, "unicodePwd", unicodePwd(password)));
    }

    void replace(String dn, String attribute, String value) throws LDAPException {
        admin.modify(dn, new Modification(ModificationType.REPLACE, attribute, value));
    }

    /** The DNS name of the PDC emulator: fSMORoleOwner of the domain, then its server object. */
    String pdcEmulatorHost() throws LDAPException {
        String ntdsSettings = read(env.get("BASE_DN"), "fSMORoleOwner").getAttributeValue("fSMORoleOwner");
        String server = new DN(ntdsSettings).getParentString();
        return read(server, "dNSHostName").getAttributeValue("dNSHostName");
    }

    private static byte[] unicodePwd(String password) {
        return ('"' + password + '"').getBytes(StandardCharsets.UTF_16LE);
    }

    @Override
    public void close() {
        admin.close();
    }
}
