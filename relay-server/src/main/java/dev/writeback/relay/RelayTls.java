package dev.writeback.relay;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's TLS identity: the configured PEM certificate and key, or a self-signed ECDSA P-256 certificate
 * created once in {@code dataDir/tls/} and reused, whose SHA-256 fingerprint agents pin.
 */
final class RelayTls {
    private static final Logger logger = LoggerFactory.getLogger(RelayTls.class);

    private final SslContext context;
    private final X509Certificate certificate;
    private final boolean selfSigned;

    private RelayTls(SslContext context, X509Certificate certificate, boolean selfSigned) {
        this.context = context;
        this.certificate = certificate;
        this.selfSigned = selfSigned;
    }

    static RelayTls load(RelayConfig config, Clock clock, SecureRandom random) throws IOException {
        if (config.tlsCertificate() != null) {
            List<X509Certificate> chain = Certificates.readCertificates(config.tlsCertificate());
            PrivateKey key = Certificates.readPrivateKey(config.tlsKey());
            return new RelayTls(TlsPolicy.server(key, chain), chain.get(0), false);
        }
        Path dir = config.dataDir().resolve("tls");
        Path cert = dir.resolve("relay.crt");
        Path keyFile = dir.resolve("relay.key");
        if (!Files.exists(cert) || !Files.exists(keyFile)) {
            create(config, dir, cert, keyFile, clock, random);
        }
        List<X509Certificate> chain = Certificates.readCertificates(cert);
        return new RelayTls(TlsPolicy.server(Certificates.readPrivateKey(keyFile), chain), chain.get(0), true);
    }

    private static void create(RelayConfig config, Path dir, Path cert, Path keyFile, Clock clock, SecureRandom random)
            throws IOException {
        ownerOnlyDirectories(dir);
        var names = new ArrayList<>(config.publicHostnames());
        for (String n : List.of("localhost", "127.0.0.1", "::1")) {
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        var pair = KeyPairs.newIdentityKeyPair(random);
        var certificate = Certificates.selfSigned(pair, names, clock.instant(), Duration.ofDays(825), random);
        writeOwnerOnly(keyFile, Certificates.privateKeyPem(pair.getPrivate()));
        writeOwnerOnly(cert, Certificates.toPem(certificate));
        logger.info("RLY-010 created self-signed certificate {} for {}", cert, names);
    }

    /**
     * Creates {@code dir} and its missing parents as {@code rwx------} (the data directory and {@code tls/} hold
     * the master key, the store and the private key); plain directories where the file system has no POSIX modes.
     */
    static void ownerOnlyDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
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

    SslContext context() {
        return context;
    }

    String fingerprint() {
        return Certificates.fingerprint(certificate);
    }

    boolean selfSigned() {
        return selfSigned;
    }
}
