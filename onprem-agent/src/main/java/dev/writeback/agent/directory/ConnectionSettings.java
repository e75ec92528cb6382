package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import dev.writeback.protocol.Secret;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach one directory, resolved from its {@link DirectoryConfig} (or from a started embedded directory).
 *
 * @param name the directory's name
 * @param type the configured type
 * @param urls the servers in preference order
 * @param startTls whether ldap:// URLs use StartTLS
 * @param bindDn the service account
 * @param bindPassword the service account's password; owned by the connection pool's bind request
 * @param trustCaFile PEM CA file, or null
 * @param trustFingerprint pinned certificate fingerprint, or null
 * @param trustCertificate a certificate trusted by value (the embedded directory's), or null
 * @param verifyHostname whether to check the certificate's names
 * @param baseDn the domain naming context
 * @param scopes the subtrees searched for anchors
 * @param allowProtectedAccounts whether adminCount=1 accounts may be changed
 * @param preferPdcEmulator whether to look up the PDC emulator and use it first
 * @param connectTimeout connect timeout
 * @param operationTimeout per-operation timeout
 * @param poolSize maximum connections
 */
record ConnectionSettings(String name, String type, List<LDAPURL> urls, boolean startTls, String bindDn,
                          Secret bindPassword, String trustCaFile, String trustFingerprint,
                          X509Certificate trustCertificate, boolean verifyHostname, String baseDn, List<String> scopes,
                          boolean allowProtectedAccounts, boolean preferPdcEmulator, Duration connectTimeout,
                          Duration operationTimeout, int poolSize) {
    ConnectionSettings {
        urls = List.copyOf(urls);
        scopes = List.copyOf(scopes);
    }

    static List<LDAPURL> parseUrls(List<String> urls) throws LDAPException {
        var parsed = new ArrayList<LDAPURL>();
        for (String url : urls) {
            parsed.add(new LDAPURL(url));
        }
        return parsed;
    }

    /** The same settings with the servers in another order. */
    ConnectionSettings withUrls(List<LDAPURL> reordered) {
        return new ConnectionSettings(name, type, reordered, startTls, bindDn, bindPassword, trustCaFile,
                trustFingerprint, trustCertificate, verifyHostname, baseDn, scopes, allowProtectedAccounts,
                preferPdcEmulator, connectTimeout, operationTimeout, poolSize);
    }

    @Override
    public String toString() {
        return "ConnectionSettings[name=" + name + ", urls=" + urls + ", bindDn=" + bindDn + ", bindPassword=****]";
    }
}
