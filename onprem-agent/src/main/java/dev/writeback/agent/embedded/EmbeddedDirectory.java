package dev.writeback.agent.embedded;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import dev.writeback.agent.directory.PolicyHints;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Active Directory look-alike for passwords on loopback only: an LDAPS port and an LDAP port with StartTLS,
 * a self-signed certificate kept in its data directory, entries made durable before each write is answered
 * ({@link EntryStore}: a snapshot plus an append-only journal), equality indexes on the attributes accounts are
 * found by, and a service account {@code svc-writeback} whose generated password is kept owner-only.
 */
public final class EmbeddedDirectory implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(EmbeddedDirectory.class);
    /** Attributes that anchors, binds and lookups search by equality: indexed, so a lookup does not scan. */
    static final List<String> INDEXED = List.of("userPrincipalName", "sAMAccountName", "mail", "objectGUID",
            "mS-DS-ConsistencyGuid", "uid");
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    private static final String SERVICE_PASSWORD_FILE = "service-account.pw";
    private static final String SERVICE_ACCOUNT_RDN = "CN=svc-writeback,OU=Service";

    private final InMemoryDirectoryServer server;
    private final EmbeddedDirectoryConfig config;
    private final Path dataDir;
    private final X509Certificate certificate;
    private final String serviceAccountDn;
    private final EntryStore store;
    private final ExecutorService compactor;

    private EmbeddedDirectory(InMemoryDirectoryServer server, EmbeddedDirectoryConfig config, Path dataDir,
                              X509Certificate certificate, String serviceAccountDn, EntryStore store,
                              ExecutorService compactor) {
        this.server = server;
        this.store = store;
        this.compactor = compactor;
        this.config = config;
        this.dataDir = dataDir;
        this.certificate = certificate;
        this.serviceAccountDn = serviceAccountDn;
    }

    /** Starts the directory; {@code config.dataDir()} is resolved against {@code stateDir} when relative. */
    public static EmbeddedDirectory start(EmbeddedDirectoryConfig config, Path stateDir) throws IOException {
        return start(config, stateDir, Clock.systemUTC());
    }

    /** Starts the directory with the given clock (for pwdLastSet, lockoutTime and the certificate dates). */
    public static EmbeddedDirectory start(EmbeddedDirectoryConfig config, Path stateDir, Clock clock) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(stateDir, "stateDir");
        requireNonNull(clock, "clock");
        config.validate("embedded");
        Path dataDir = config.dataDirIn(stateDir);
        Files.createDirectories(dataDir);
        OwnerOnly.restrict(dataDir);
        ExecutorService compactor = Executors.newSingleThreadExecutor(r -> {
            var thread = new Thread(r, "embedded-directory-compaction");
            thread.setDaemon(true);
            return thread;
        });
        try {
            return startIn(config, dataDir, clock, compactor);
        } catch (LDAPException | GeneralSecurityException e) {
            compactor.shutdownNow();
            throw new IOException("embedded directory " + dataDir + ": cannot start: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            compactor.shutdownNow();
            throw e;
        }
    }

    private static EmbeddedDirectory startIn(EmbeddedDirectoryConfig config, Path dataDir, Clock clock,
                                             ExecutorService compactor)
            throws IOException, LDAPException, GeneralSecurityException {
        var certificate = ServerCertificate.loadOrCreate(dataDir, clock);
        var serviceAccount = new DN(SERVICE_ACCOUNT_RDN + "," + config.baseDn());
        var store = new EntryStore(dataDir, EntryStore.DEFAULT_COMPACT_AFTER_BYTES, compactor);
        InMemoryPasswordEncoder encoder = passwordEncoder();
        var emulation = new AdEmulation(config, serviceAccount, encoder, clock, store);

        var serverConfig = new InMemoryDirectoryServerConfig(config.baseDn());
        serverConfig.setSchema(AdSchema.create());
        serverConfig.setEnforceSingleStructuralObjectClass(false);
        serverConfig.setPasswordEncoders(encoder);
        serverConfig.setEqualityIndexAttributes(INDEXED);
        serverConfig.setCustomRootDSEAttributes(rootDse(config.baseDn()));
        serverConfig.addInMemoryOperationInterceptor(emulation);
        serverConfig.setListenerConfigs(listeners(config, certificate.serverContext()));
        var server = new InMemoryDirectoryServer(serverConfig);
        emulation.attach(server);
        store.attach(server);

        if (store.exists()) {
            store.load();
        } else {
            SeedLdif.load(server, config, clock);
        }
        applyDomainPolicy(server, config);
        ServiceAccount.ensurePassword(server, serviceAccount.toString(), dataDir.resolve(SERVICE_PASSWORD_FILE), clock);
        store.compact();
        server.startListening();
        var directory = new EmbeddedDirectory(server, config, dataDir, certificate.certificate(), serviceAccount.toString(),
                store, compactor);
        logger.info("DIR-300 embedded directory started baseDn={} ldap={}:{} ldaps={}:{} dataDir={} certificate={}",
                config.baseDn(), config.host(), directory.ldapPort(), config.host(), directory.ldapsPort(), dataDir,
                directory.certificateFingerprint());
        return directory;
    }

    /** How userPassword is hashed: salted SHA-256 ({SSHA256}); listener threads share it, so it is thread safe. */
    static InMemoryPasswordEncoder passwordEncoder() {
        return new SaltedSha256Encoder();
    }

    private static List<InMemoryListenerConfig> listeners(EmbeddedDirectoryConfig config, SSLContext tls)
            throws IOException, LDAPException {
        InetAddress address = InetAddress.getByName(config.host());
        return List.of(
                InMemoryListenerConfig.createLDAPConfig("ldap", address, config.ldapPort(), tls.getSocketFactory()),
                InMemoryListenerConfig.createLDAPSConfig("ldaps", address, config.ldapsPort(),
                        tls.getServerSocketFactory(), null));
    }

    private static List<Attribute> rootDse(String baseDn) {
        String configuration = "CN=Configuration," + baseDn;
        return List.of(
                new Attribute("defaultNamingContext", baseDn),
                new Attribute("rootDomainNamingContext", baseDn),
                new Attribute("configurationNamingContext", configuration),
                new Attribute("dsServiceName",
                        "CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites," + configuration),
                new Attribute("dnsHostName", "localhost"),
                new Attribute("supportedControl", PolicyHints.OID,
                        PolicyHints.DEPRECATED_OID,
                        "1.2.840.113556.1.4.319", "1.2.840.113556.1.4.473", "1.2.840.113556.1.4.1413"),
                new Attribute("supportedCapabilities", "1.2.840.113556.1.4.800", "1.2.840.113556.1.4.1670",
                        "1.2.840.113556.1.4.1791", "1.2.840.113556.1.4.1935", "1.2.840.113556.1.4.2080"));
    }

    /** Writes the configured policy onto the domain head, where AD keeps it and clients read it. */
    private static void applyDomainPolicy(InMemoryDirectoryServer server, EmbeddedDirectoryConfig config)
            throws LDAPException {
        server.modify(config.baseDn(),
                new Modification(ModificationType.REPLACE, "minPwdLength", config.minPasswordLength().toString()),
                new Modification(ModificationType.REPLACE, "pwdProperties", config.complexity() ? "1" : "0"),
                new Modification(ModificationType.REPLACE, "pwdHistoryLength", config.historyLength().toString()),
                new Modification(ModificationType.REPLACE, "lockoutThreshold", config.lockoutThreshold().toString()),
                new Modification(ModificationType.REPLACE, "minPwdAge", "0"));
    }

    /** The LDAP port (StartTLS required for binds and password writes). */
    public int ldapPort() {
        return server.getListenPort("ldap");
    }

    /** The LDAPS port. */
    public int ldapsPort() {
        return server.getListenPort("ldaps");
    }

    /** The loopback address both ports listen on. */
    public String host() {
        return config.host();
    }

    /** The naming context. */
    public String baseDn() {
        return config.baseDn();
    }

    /** The resolved data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** The server's self-signed certificate, to trust it by value. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate's SHA-256 fingerprint as {@code SHA256:AB:CD:...}, the form {@code trustFingerprint} takes. */
    public String certificateFingerprint() {
        return ServerCertificate.fingerprint(certificate);
    }

    /** The DN the agent binds as. */
    public String serviceAccountDn() {
        return serviceAccountDn;
    }

    /** The owner-only file holding the service account's password (usable as {@code bindPasswordFile}). */
    public Path serviceAccountPasswordFile() {
        return dataDir.resolve(SERVICE_PASSWORD_FILE);
    }

    /** Reads the service account's password; the caller closes the secret. */
    public Secret serviceAccountPassword() throws IOException {
        return ServiceAccount.readPassword(serviceAccountPasswordFile());
    }

    /**
     * Writes every entry into the snapshot {@code directory.ldif} now and starts an empty journal, so the snapshot
     * alone holds the current state (for a backup, or a test that reads the file). Writes go on meanwhile.
     */
    public void compact() throws IOException {
        store.compact();
    }

    /** Stops listening and closes the journal; entries are already on disk. */
    @Override
    public void close() {
        server.shutDown(true);
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                logger.warn("DIR-310 embedded directory compaction still running at close dataDir={}", dataDir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.close();
        } catch (IOException e) {
            logger.warn("DIR-310 embedded directory could not save entries dataDir={}", dataDir, e);
        }
        logger.info("DIR-301 embedded directory stopped dataDir={}", dataDir);
    }

    /**
     * Every user object (not computers, not {@code inetOrgPerson}) with its NT hash, for password hash sync. Read
     * from the server directly, so the hidden hash attribute is included; never over LDAP.
     */
    public java.util.List<dev.writeback.agent.hashsync.SourceUser> passwordHashes() throws IOException {
        try {
            var result = server.search(config.baseDn(), com.unboundid.ldap.sdk.SearchScope.SUB,
                    "(&(objectClass=user)(!(objectClass=computer))(!(objectClass=inetOrgPerson)))",
                    "objectGUID", "userPrincipalName", "sAMAccountName", "pwdLastSet", "userAccountControl", AdSchema.NT_HASH_ATTRIBUTE);
            var out = new java.util.ArrayList<dev.writeback.agent.hashsync.SourceUser>();
            for (var entry : result.getSearchEntries()) {
                byte[] guid = entry.getAttributeValueBytes("objectGUID");
                String sam = entry.getAttributeValue("sAMAccountName");
                if (guid == null || (sam != null && sam.toLowerCase(java.util.Locale.ROOT).startsWith("krbtgt"))) {
                    continue;
                }
                long pwdLastSet = parseLong(entry.getAttributeValue("pwdLastSet"));
                long uac = parseLong(entry.getAttributeValue("userAccountControl"));
                byte[] nt = entry.getAttributeValueBytes(AdSchema.NT_HASH_ATTRIBUTE);
                out.add(new dev.writeback.agent.hashsync.SourceUser("guid:" + java.util.Base64.getEncoder().encodeToString(guid),
                        entry.getAttributeValue("userPrincipalName"), nt, pwdLastSet == 0, (uac & 2) == 0, pwdLastSet));
                // nt is not wiped here: the in-memory server may hand out its own stored bytes
            }
            return out;
        } catch (LDAPException e) {
            throw new IOException("embedded directory: reading password hashes failed: " + e.getResultCode(), e);
        }
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    InMemoryDirectoryServer server() {
        return server;
    }
}
