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
        Files.createDirectories(dir);
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
