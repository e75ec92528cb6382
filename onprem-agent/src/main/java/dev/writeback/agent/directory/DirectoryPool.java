package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.PinnedTrustManager;
import java.io.File;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A health-checked, TLS-only connection pool over the directory's servers in failover order, bound as the
 * service account. It remembers, per server, which LDAP_SERVER_POLICY_HINTS control the rootDSE lists.
 */
final class DirectoryPool implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(DirectoryPool.class);
    private static final long FAILOVER_CONNECTION_AGE_MILLIS = Duration.ofMinutes(15).toMillis();

    private final String name;
    private final LDAPConnectionPool pool;
    private final String bindDn;
    private final Map<String, Optional<String>> hintsByServer = new ConcurrentHashMap<>();

    private DirectoryPool(String name, LDAPConnectionPool pool, String bindDn) {
        this.name = name;
        this.pool = pool;
        this.bindDn = bindDn;
    }

    /** The service account the pool binds as (named when its bind is refused). */
    String bindDn() {
        return bindDn;
    }

    /** Builds the pool; servers that are down now are tried again on demand, so this does not fail for them. */
    static DirectoryPool open(ConnectionSettings settings, Duration healthInterval) throws DirectoryConfigException {
        BindRequest bind = bindRequest(settings);
        ServerSet servers = serverSet(settings, bind);
        LDAPConnectionPool pool;
        try {
            var healthCheck = new GetEntryLDAPConnectionPoolHealthCheck("", settings.operationTimeout().toMillis(),
                    false, false, false, false, true, true);
            pool = new LDAPConnectionPool(servers, bind, 0, settings.poolSize(), 1, null, false, healthCheck);
        } catch (LDAPException e) {
            throw new DirectoryConfigException("directory " + settings.name() + ": cannot create connection pool: "
                    + e.getMessage(), e);
        }
        pool.setConnectionPoolName("directory-" + settings.name());
        // No setRetryFailedOperationsDueToInvalidConnections: that applies only to operations run through the
        // pool's own methods, and every operation here runs on a checked-out connection (checkout/release), which a
        // failure returns as defunct. A password write is never retried blindly: it might have been applied.
        pool.setHealthCheckIntervalMillis(healthInterval.toMillis());
        pool.setMaxWaitTimeMillis(settings.operationTimeout().toMillis());
        return new DirectoryPool(settings.name(), pool, settings.bindDn());
    }

    /** One server set per URL (LDAPS, or LDAP + StartTLS) behind a failover set that tries them in order. */
    static ServerSet serverSet(ConnectionSettings settings) throws DirectoryConfigException {
        return serverSet(settings, bindRequest(settings));
    }

    /** As {@link #serverSet(ConnectionSettings)} but unauthenticated: the caller binds (as a user, for a change). */
    static ServerSet unboundServerSet(ConnectionSettings settings) throws DirectoryConfigException {
        return serverSet(settings, null);
    }

    private static ServerSet serverSet(ConnectionSettings settings, BindRequest bind) throws DirectoryConfigException {
        SSLUtil ssl = new SSLUtil(trustManager(settings));
        SSLContext context;
        try {
            context = ssl.createSSLContext();
        } catch (GeneralSecurityException e) {
            throw new DirectoryConfigException("directory " + settings.name() + ": TLS: " + e.getMessage(), e);
        }
        var options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) settings.connectTimeout().toMillis());
        options.setResponseTimeoutMillis(settings.operationTimeout().toMillis());
        if (settings.verifyHostname()) {
            options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        }
        var sets = new ArrayList<ServerSet>();
        for (LDAPURL url : settings.urls()) {
            boolean ldaps = "ldaps".equalsIgnoreCase(url.getScheme());
            SocketFactory sockets = ldaps ? context.getSocketFactory() : SocketFactory.getDefault();
            PostConnectProcessor startTls = ldaps ? null : new StartTLSPostConnectProcessor(context);
            sets.add(new SingleServerSet(url.getHost(), url.getPort(), sockets, options, bind, startTls));
        }
        var failover = new FailoverServerSet(sets);
        failover.setMaxFailoverConnectionAgeMillis(FAILOVER_CONNECTION_AGE_MILLIS);   // drift back to the preferred DC
        return failover;
    }

    private static BindRequest bindRequest(ConnectionSettings settings) {
        byte[] password = settings.bindPassword().toUtf8();
        // The bind request keeps its copy for reconnects for as long as the pool lives.
        return new SimpleBindRequest(settings.bindDn(), password);
    }

    private static X509TrustManager trustManager(ConnectionSettings settings) throws DirectoryConfigException {
        try {
            if (settings.trustCaFile() != null && !settings.trustCaFile().isBlank()) {
                return new PEMFileTrustManager(new File(settings.trustCaFile()));
            }
            if (settings.trustFingerprint() != null && !settings.trustFingerprint().isBlank()) {
                return PinnedTrustManager.of(settings.trustFingerprint());
            }
            if (settings.trustCertificate() != null) {
                return PinnedTrustManager.of(Certificates.fingerprint(settings.trustCertificate()));
            }
            return JVMDefaultTrustManager.getInstance();
        } catch (GeneralSecurityException e) {
            throw new DirectoryConfigException("directory " + settings.name() + ": trustCaFile: "
                    + settings.trustCaFile() + " (expected: readable PEM CA certificates)", e);
        }
    }

    LDAPConnection checkout() throws LDAPException {
        return pool.getConnection();
    }

    void release(LDAPConnection connection) {
        pool.releaseConnection(connection);
    }

    void releaseDefunct(LDAPConnection connection) {
        pool.releaseDefunctConnection(connection);
    }

    static String serverOf(LDAPConnection connection) {
        return connection.getConnectedAddress() + ":" + connection.getConnectedPort();
    }

    /** The policy-hints OID this connection's server lists (2239, else 2066), probed once per server. */
    Optional<String> policyHints(LDAPConnection connection) throws LDAPException {
        String server = serverOf(connection);
        Optional<String> known = hintsByServer.get(server);
        if (known != null) {
            return known;
        }
        RootDSE root = connection.getRootDSE();
        Optional<String> oid = Optional.empty();
        if (root != null && root.supportsControl(PolicyHints.OID)) {
            oid = Optional.of(PolicyHints.OID);
        } else if (root != null && root.supportsControl(PolicyHints.DEPRECATED_OID)) {
            oid = Optional.of(PolicyHints.DEPRECATED_OID);
        }
        if (hintsByServer.putIfAbsent(server, oid) == null && oid.isEmpty()) {
            logger.warn("DIR-101 server lists no password policy hints control; resets will not enforce password "
                    + "history directory={} server={}", name, server);
        }
        return oid;
    }

    /** Whether the given server is known to accept policy hints; true until it has been probed. */
    boolean historyEnforcedOnReset(String server) {
        Optional<String> known = hintsByServer.get(server);
        return known == null || known.isPresent();
    }

    @Override
    public void close() {
        pool.close();
    }
}
