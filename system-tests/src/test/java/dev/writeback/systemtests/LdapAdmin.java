package dev.writeback.systemtests;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import javax.net.SocketFactory;

/**
 * A test directory seen from the outside, independently of the agent: an administrator connection over LDAPS
 * (hostname checked against the test CA) that reads and repairs entries, and end-user binds on connections of
 * their own. The Samba and OpenLDAP probes add what is particular to each directory.
 */
public class LdapAdmin implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final SocketFactory tls;
    private final LDAPURL url;
    private final LDAPConnection admin;

    protected LdapAdmin(Path caPem, String ldapsUrl, String adminDn, String adminPassword)
            throws LDAPException, GeneralSecurityException {
        this.tls = new SSLUtil(new PEMFileTrustManager(caPem.toFile())).createSSLSocketFactory();
        this.url = new LDAPURL(ldapsUrl);
        this.admin = connect();
        admin.bind(adminDn, adminPassword);
    }

    /** A new LDAPS connection to the directory, not bound. */
    protected final LDAPConnection connect() throws LDAPException {
        var options = new LDAPConnectionOptions();
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        options.setConnectTimeoutMillis(TIMEOUT_MILLIS);
        options.setResponseTimeoutMillis(TIMEOUT_MILLIS);
        return new LDAPConnection(tls, options, url.getHost(), url.getPort());
    }

    /**
     * Sends {@code bind} on a new connection; empty when it worked, else the result code and diagnostic, followed
     * by what {@code describe} adds from the failed result (empty for nothing).
     */
    protected final Optional<String> bindFailure(BindRequest bind, BiFunction<LDAPResult, String, String> describe)
            throws LDAPException {
        try (LDAPConnection connection = connect()) {
            connection.bind(bind);
            return Optional.empty();
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                return Optional.of(describe.apply(e.toLDAPResult(), e.getResultCode() + ": " + e.getDiagnosticMessage()));
            }
            throw e;
        }
    }

    /** The entry as the administrator reads it; fails the test when there is none. */
    public final SearchResultEntry read(String dn, String... attributes) throws LDAPException {
        SearchResultEntry entry = admin.getEntry(dn, attributes);
        if (entry == null) {
            throw new IllegalStateException("no entry " + dn);
        }
        return entry;
    }

    /** One value of an (operational) attribute as the administrator reads it; null when absent. */
    public final String value(String dn, String attribute) throws LDAPException {
        return read(dn, attribute).getAttributeValue(attribute);
    }

    /** All values of an attribute; empty when absent. */
    public final List<String> values(String dn, String attribute) throws LDAPException {
        String[] values = read(dn, attribute).getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    /** Adds an entry as the administrator. */
    public final void add(Entry entry) throws LDAPException {
        admin.add(entry);
    }

    public final void delete(String dn) throws LDAPException {
        admin.delete(dn);
    }

    /** Replaces an attribute's values; with none, removes the attribute (nothing happens when it is absent). */
    public final void replace(String dn, String attribute, String... values) throws LDAPException {
        admin.modify(dn, new Modification(ModificationType.REPLACE, attribute, values));
    }

    /** Replaces a binary attribute's value (unicodePwd, for one). */
    public final void replace(String dn, String attribute, byte[] value) throws LDAPException {
        admin.modify(dn, new Modification(ModificationType.REPLACE, attribute, value));
    }

    public final void add(String dn, String attribute, String... values) throws LDAPException {
        admin.modify(dn, new Modification(ModificationType.ADD, attribute, values));
    }

    @Override
    public void close() {
        admin.close();
    }
}
