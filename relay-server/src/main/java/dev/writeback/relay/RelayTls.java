package dev.writeback.relay;

import dev.writeback.protocol.Durations;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.files.OwnerOnly;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's TLS identity: the configured PEM certificate and key, or a self-signed ECDSA P-256 certificate kept in
 * {@code dataDir/tls/}. Agents pin the key (SHA-256 of the SubjectPublicKeyInfo), so the self-signed certificate is
 * re-issued with the same key pair {@link OperationsConfig#renewBefore()} before it expires and no agent notices.
 * New connections get the current certificate; open ones keep the session they have.
 */
final class RelayTls {
    private static final Logger logger = LoggerFactory.getLogger(RelayTls.class);
    private static final Duration WARN_EVERY = Duration.ofDays(1);

    private final RelayConfig config;
    private final OperationsConfig operations;
    private final Clock clock;
    private final SecureRandom random;
    private final boolean selfSigned;
    private volatile SslContext context;
    private volatile X509Certificate certificate;
    private volatile long renewals;
    private Instant lastWarning;   // housekeeping thread only

    private RelayTls(RelayConfig config, OperationsConfig operations, Clock clock, SecureRandom random, boolean selfSigned) {
        this.config = config;
        this.operations = operations;
        this.clock = clock;
        this.random = random;
        this.selfSigned = selfSigned;
    }

    static RelayTls load(RelayConfig config, OperationsConfig operations, Clock clock, SecureRandom random) throws IOException {
        var tls = new RelayTls(config, operations, clock, random, config.tlsCertificate() == null);
        if (!tls.selfSigned) {
            List<X509Certificate> chain = Certificates.readCertificates(config.tlsCertificate());
            PrivateKey key = Certificates.readPrivateKey(config.tlsKey());
            tls.use(TlsPolicy.server(key, chain), chain.get(0));
            return tls;
        }
        if (!Files.exists(tls.certFile()) || !Files.exists(tls.keyFile())) {
            tls.issue(KeyPairs.newIdentityKeyPair(random), null);
        }
        tls.reload();
        return tls;
    }

    private Path certFile() {
        return config.dataDir().resolve("tls").resolve("relay.crt");
    }

    private Path keyFile() {
        return config.dataDir().resolve("tls").resolve("relay.key");
    }

    private void reload() throws IOException {
        List<X509Certificate> chain = Certificates.readCertificates(certFile());
        use(TlsPolicy.server(Certificates.readPrivateKey(keyFile()), chain), chain.get(0));
    }

    private void use(SslContext ctx, X509Certificate cert) {
        this.context = ctx;
        this.certificate = cert;
    }

    /** Writes a new self-signed certificate for {@code pair}; the key file only when the key is new. */
    private void issue(KeyPair pair, X509Certificate previous) throws IOException {
        Path dir = certFile().getParent();
        OwnerOnly.createDirectories(dir);   // rwx------: tls/ holds the private key
        var names = new ArrayList<>(config.publicHostnames());
        for (String n : List.of("localhost", "127.0.0.1", "::1")) {
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        var cert = Certificates.selfSigned(pair, names, clock.instant(), operations.selfSignedValidity(), random);
        if (previous == null) {
            writeOwnerOnly(keyFile(), Certificates.privateKeyPem(pair.getPrivate()));
            writeOwnerOnly(certFile(), Certificates.toPem(cert));
            logger.info("RLY-010 created self-signed certificate {} for {} valid until {}", certFile(), names,
                    cert.getNotAfter().toInstant());
        } else {
            writeOwnerOnly(certFile(), Certificates.toPem(cert));
            logger.info("RLY-011 renewed self-signed certificate {} (same key, pin {} unchanged): valid until {}, previous"
                    + " one until {}", certFile(), Certificates.publicKeyPin(cert), cert.getNotAfter().toInstant(),
                    previous.getNotAfter().toInstant());
        }
    }

    /**
     * Housekeeping: renews a self-signed certificate that is due, and warns (RLY-012, once a day) about any certificate
     * that expires within {@link OperationsConfig#expiryWarning()}. Returns whether the certificate was renewed.
     */
    boolean maintain() {
        Instant now = clock.instant();
        boolean renewed = false;
        X509Certificate current = certificate;
        if (selfSigned && !now.isBefore(notAfter().minus(operations.renewBefore()))) {
            try {
                PrivateKey key = Certificates.readPrivateKey(keyFile());
                issue(new KeyPair(current.getPublicKey(), key), current);
                reload();
                renewals++;
                renewed = true;
            } catch (IOException | RuntimeException e) {
                logger.warn("RLY-013 self-signed certificate renewal failed, retried at the next housekeeping run: {}", e.toString());
            }
        }
        Duration left = Duration.between(now, notAfter());
        // a self-signed certificate renews before the warning window; inside it only when renewal keeps failing
        Duration warnFrom = selfSigned && operations.renewBefore().compareTo(operations.expiryWarning()) < 0
                ? operations.renewBefore() : operations.expiryWarning();
        if (left.compareTo(warnFrom) < 0
                && (lastWarning == null || !now.isBefore(lastWarning.plus(WARN_EVERY)))) {
            lastWarning = now;
            logger.warn("RLY-012 TLS certificate {} expires {} ({}): {}", selfSigned ? certFile() : config.tlsCertificate(),
                    notAfter(), left.isNegative() ? "expired " + Durations.format(left.negated().withNanos(0)) + " ago"
                            : "in " + Durations.format(left.withNanos(0)),
                    selfSigned ? "renewal keeps failing, see RLY-013" : "replace tls.certificate and tls.key, then restart the relay");
        }
        return renewed;
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        OwnerOnly.createFile(tmp);
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The host names agents may name in AUTH when {@code publicHostnames} is empty: the certificate's own. */
    List<String> hostNames() {
        return hostNames(certificate);
    }

    /**
     * The names a certificate is valid for: its subject alternative names of type DNS and IP address, or, when
     * it has none, the CN of its subject.
     */
    static List<String> hostNames(X509Certificate certificate) {
        var names = new ArrayList<String>();
        try {
            var sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if ((type == 2 || type == 7) && san.get(1) instanceof String name && !names.contains(name)) {
                        names.add(name);   // 2: dNSName, 7: iPAddress
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            logger.warn("RLY-014 certificate subject alternative names unreadable: {}", e.getMessage());
        }
        if (names.isEmpty()) {
            try {
                for (var rdn : new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if ("CN".equalsIgnoreCase(rdn.getType())) {
                        names.add(String.valueOf(rdn.getValue()));
                    }
                }
            } catch (javax.naming.InvalidNameException e) {
                logger.warn("RLY-014 certificate subject unreadable: {}", e.getMessage());
            }
        }
        return List.copyOf(names);
    }

    /** The context new connections get. */
    SslContext context() {
        return context;
    }

    /** The pin agents keep: SHA-256 of the certificate's public key, unchanged by renewals. */
    String pin() {
        return Certificates.publicKeyPin(certificate);
    }

    /** SHA-256 of the certificate in use (what agents pinned before key pinning; changes with every renewal). */
    String certificateFingerprint() {
        return Certificates.fingerprint(certificate);
    }

    /** When the certificate in use expires. */
    Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** How many times this relay renewed its self-signed certificate since it started. */
    long renewals() {
        return renewals;
    }

    boolean selfSigned() {
        return selfSigned;
    }
}
