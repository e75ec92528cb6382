package dev.writeback.agent.embedded;

import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The embedded directory's self-signed TLS certificate, kept in its data directory so that a pinned
 * fingerprint stays valid across restarts.
 */
final class ServerCertificate {
    private static final String FILE = "tls.p12";
    private static final String ALIAS = "embedded-directory";
    // The key store file is owner-only; its password protects nothing beyond that, so it is a constant.
    private static final char[] STORE_PASSWORD = "embedded-directory".toCharArray();
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final KeyStore keyStore;
    private final X509Certificate certificate;

    private ServerCertificate(KeyStore keyStore) throws GeneralSecurityException {
        this.keyStore = keyStore;
        this.certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
    }

    /** Loads the key pair from {@code dataDir}, or creates and stores one on first start. */
    static ServerCertificate loadOrCreate(Path dataDir, Clock clock) throws IOException, GeneralSecurityException {
        Path file = dataDir.resolve(FILE);
        KeyStore store = KeyStore.getInstance("PKCS12");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, STORE_PASSWORD);
            }
            return new ServerCertificate(store);
        }
        store.load(null, null);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X509Certificate cert = selfSign(keys, clock);
        store.setKeyEntry(ALIAS, keys.getPrivate(), STORE_PASSWORD, new Certificate[] {cert});
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            store.store(out, STORE_PASSWORD);
        }
        OwnerOnly.restrict(tmp);
        OwnerOnly.moveAtomically(tmp, file);
        return new ServerCertificate(store);
    }

    private static X509Certificate selfSign(KeyPair keys, Clock clock) throws GeneralSecurityException {
        var name = new X500Name("CN=localhost,OU=Writeback embedded directory");
        var now = clock.instant();
        var serial = new BigInteger(64, new SecureRandom());
        var builder = new JcaX509v3CertificateBuilder(name, serial, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), name, keys.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (CertIOException | OperatorCreationException e) {
            throw new GeneralSecurityException("self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** A server-side TLS context holding this key pair. */
    SSLContext serverContext() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** {@code SHA256:AB:CD:...}, the form {@code trustFingerprint} takes. */
    static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return "SHA256:" + HexFormat.ofDelimiter(":").formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
