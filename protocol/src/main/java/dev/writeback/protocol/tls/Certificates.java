package dev.writeback.protocol.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** X.509 helpers: self-signed ECDSA P-256 certificates, PEM files, SHA-256 fingerprints and key pins. */
public final class Certificates {
    private Certificates() {}

    /** A self-signed certificate for {@code names} (DNS names or IP literals), valid for {@code validity}. */
    public static X509Certificate selfSigned(KeyPair keyPair, List<String> names, Instant now, Duration validity,
                                             SecureRandom random) {
        requireNonNull(keyPair, "keyPair");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected: at least one host name)");
        }
        X500Name subject = new X500Name("CN=" + names.get(0).replaceAll("[,=+<>#;\"\\\\]", "_"));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, random),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keyPair.getPublic());
        var sans = new ArrayList<GeneralName>();
        for (String name : names) {
            boolean ip = name.matches("[0-9.]+") || name.contains(":");
            sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException | OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("certificate generation failed: " + e.getMessage(), e);
        }
    }

    /** The fingerprint agents pin: {@code SHA256:} and the upper-case hex of the DER, colon separated. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * The key pin agents keep across certificate renewals: {@code SHA256:} and the upper-case hex of the
     * certificate's SubjectPublicKeyInfo (DER), colon separated. A renewed certificate with the same key pair has
     * the same pin.
     */
    public static String publicKeyPin(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
            return "SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * Whether a pin names this certificate: its key pin ({@link #publicKeyPin}) or, for pins taken before key
     * pinning, its certificate fingerprint ({@link #fingerprint}). {@code pin} is normalized.
     */
    public static boolean matchesPin(X509Certificate certificate, String pin) {
        return publicKeyPin(certificate).equals(pin) || fingerprint(certificate).equals(pin);
    }

    /** Normalizes a user-supplied fingerprint ({@code SHA256:ab:cd...}, with or without colons/prefix, any case). */
    public static String normalizeFingerprint(String text) {
        requireNonNull(text, "text");
        String hex = text.strip();
        if (hex.regionMatches(true, 0, "SHA256:", 0, 7)) {
            hex = hex.substring(7);
        }
        hex = hex.replace(":", "").replace(" ", "").toUpperCase(Locale.ROOT);
        if (!hex.matches("[0-9A-F]{64}")) {
            throw new IllegalArgumentException("fingerprint: " + text + " (expected: SHA256: followed by 32 hex bytes)");
        }
        return "SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(hex));
    }

    /** PKCS#8 PEM text ({@code BEGIN PRIVATE KEY}) of a private key. */
    public static String privateKeyPem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** PEM text of a certificate, a public key, or a private key (as PKCS#8 {@code PRIVATE KEY}). */
    public static String toPem(Object certificateOrKey) {
        var out = new StringWriter();
        try (var w = new JcaPEMWriter(out)) {
            if (certificateOrKey instanceof PrivateKey key) {
                // PKCS#8 keeps the EC curve; the traditional form BouncyCastle picks for a JDK EC key would lose it
                w.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                w.writeObject(certificateOrKey);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** Reads every certificate of a PEM file. */
    public static List<X509Certificate> readCertificates(Path pem) throws IOException {
        try (var in = Files.newInputStream(pem)) {
            var certs = new ArrayList<X509Certificate>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new IOException(pem + ": no certificate (expected: PEM with BEGIN CERTIFICATE)");
            }
            return certs;
        } catch (CertificateException e) {
            throw new IOException(pem + ": unreadable certificate (expected: PEM X.509)", e);
        }
    }

    /** Reads a PEM private key (PKCS#8 or traditional EC/RSA). */
    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); var parser = new PEMParser(r)) {
            Object o = parser.readObject();
            var converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {   // traditional EC/RSA PEM; its public part is optional, so not used
                return converter.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IOException(pem + ": no private key (expected: unencrypted PEM private key)");
        }
    }
}
