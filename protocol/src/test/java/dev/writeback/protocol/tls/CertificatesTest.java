package dev.writeback.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.Signatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CertificatesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final KeyPair KEY = KeyPairs.newIdentityKeyPair(RANDOM);
    private static final X509Certificate CERT = Certificates.selfSigned(KEY,
            List.of("relay.example.com", "localhost", "127.0.0.1", "::1"), NOW, Duration.ofDays(825), RANDOM);

    @Test
    void selfSigned_hasEveryNameAsSubjectAlternativeName() throws Exception {
        assertThat(CERT.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "relay.example.com"), List.of(2, "localhost"), List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(CERT.getSubjectX500Principal().getName()).isEqualTo("CN=relay.example.com");
    }

    @Test
    void selfSigned_isAnEcdsaServerLeafValidFromAnHourAgo() throws Exception {
        assertThat(CERT.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(CERT.getBasicConstraints()).isEqualTo(-1);
        assertThat(CERT.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(CERT.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(CERT.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(825)));
        CERT.verify(KEY.getPublic());
        CERT.checkValidity(Date.from(NOW));
    }

    @Test
    void selfSigned_sanitizesTheCommonName_andNeedsAName() {
        var cert = Certificates.selfSigned(KEY, List.of("a,b=c"), NOW, Duration.ofDays(1), RANDOM);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=a_b_c");
        assertThatThrownBy(() -> Certificates.selfSigned(KEY, List.of(), NOW, Duration.ofDays(1), RANDOM))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("names: empty (expected: at least one host name)");
    }

    @Test
    void fingerprint_isUpperCaseColonSeparatedSha256OfTheDer() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(CERT.getEncoded());
        String fingerprint = Certificates.fingerprint(CERT);
        assertThat(fingerprint).matches("SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(fingerprint).isEqualTo("SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
    }

    @Test
    void normalizeFingerprint_acceptsEveryCommonSpelling() {
        String canonical = Certificates.fingerprint(CERT);
        String hex = canonical.substring("SHA256:".length()).replace(":", "");
        for (String spelling : List.of(canonical, canonical.toLowerCase(Locale.ROOT), "sha256:" + hex.toLowerCase(Locale.ROOT),
                "SHA256:" + hex, hex, hex.toLowerCase(Locale.ROOT), "  " + canonical + "\n",
                canonical.substring("SHA256:".length()), canonical.replace(":", " ").replaceFirst("SHA256 ", "SHA256:"))) {
            assertThat(Certificates.normalizeFingerprint(spelling)).as(spelling).isEqualTo(canonical);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SHA256:", "SHA256:abcd", "SHA1:00112233445566778899aabbccddeeff00112233",
        "SHA256:zz00000000000000000000000000000000000000000000000000000000000000"})
    void normalizeFingerprint_rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Certificates.normalizeFingerprint(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("fingerprint: ").hasMessageEndingWith("(expected: SHA256: followed by 32 hex bytes)");
    }

    @Test
    void pem_roundTripsCertificateAndKey(@TempDir Path dir) throws Exception {
        Path certFile = Files.writeString(dir.resolve("relay.crt"), Certificates.toPem(CERT));
        Path keyFile = Files.writeString(dir.resolve("relay.key"), Certificates.toPem(KEY.getPrivate()));
        assertThat(Files.readString(certFile)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(keyFile)).startsWith("-----BEGIN PRIVATE KEY-----");   // PKCS#8 keeps the curve
        assertThat(Certificates.readCertificates(certFile)).containsExactly(CERT);
        Path pkcs8File = Files.writeString(dir.resolve("relay-pkcs8.key"), Certificates.privateKeyPem(KEY.getPrivate()));
        byte[] data = {1, 2, 3};
        for (Path file : List.of(keyFile, pkcs8File)) {
            var key = Certificates.readPrivateKey(file);
            assertThat(Signatures.verify(KEY.getPublic(), data, Signatures.sign(key, data))).as(file.toString()).isTrue();
        }
    }

    @Test
    void readPrivateKey_readsTraditionalOpenSslEcKeys_withAndWithoutThePublicPart(@TempDir Path dir) throws Exception {
        // test-only keys from: openssl ecparam -name prime256v1 -genkey -noout; openssl ec -no_public
        Path full = Files.writeString(dir.resolve("full.pem"), """
                -----BEGIN EC PRIVATE KEY-----
                MHcCAQEEIKfy/fW9Y0GJlbIUkJVjsr9Tl53YvR6n+oRXedYSEwOsoAoGCCqGSM49
                AwEHoUQDQgAEtLytHLSUs7tj4K/MFqf+cdeYyvmoUXZRcZFAPuwBVZTJKeWsYh0f
                zZvKqp2xcxo9PItC3NuUIKkgNbiqb37efQ==
                -----END EC PRIVATE KEY-----
                """);
        Path noPublic = Files.writeString(dir.resolve("no-public.pem"), """
                -----BEGIN EC PRIVATE KEY-----
                MDECAQEEIKfy/fW9Y0GJlbIUkJVjsr9Tl53YvR6n+oRXedYSEwOsoAoGCCqGSM49
                AwEH
                -----END EC PRIVATE KEY-----
                """);
        var a = (java.security.interfaces.ECPrivateKey) Certificates.readPrivateKey(full);
        var b = (java.security.interfaces.ECPrivateKey) Certificates.readPrivateKey(noPublic);
        assertThat(a.getS()).isEqualTo(b.getS());
        assertThat(a.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void readCertificates_withoutACertificate_failsNamingTheFile(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> Certificates.readCertificates(empty)).isInstanceOf(IOException.class)
                .hasMessageContaining("empty.pem");
        Path noKey = Files.writeString(dir.resolve("cert-only.pem"), Certificates.toPem(CERT));
        assertThatThrownBy(() -> Certificates.readPrivateKey(noKey)).isInstanceOf(IOException.class)
                .hasMessageContaining("no private key");
    }

    @Test
    void publicKeyPin_staysAcrossARenewalWithTheSameKey_whileTheCertificateFingerprintChanges() throws Exception {
        var renewed = Certificates.selfSigned(KEY, List.of("relay.example.com"), Instant.now(), Duration.ofDays(2), RANDOM);
        assertThat(Certificates.publicKeyPin(renewed)).isEqualTo(Certificates.publicKeyPin(CERT))
                .isNotEqualTo(Certificates.fingerprint(CERT));
        assertThat(Certificates.fingerprint(renewed)).isNotEqualTo(Certificates.fingerprint(CERT));

        new PinnedTrustManager(Certificates.publicKeyPin(CERT)).checkServerTrusted(new X509Certificate[] {renewed}, "ECDHE_ECDSA");
        var oldCertificatePin = new PinnedTrustManager(Certificates.fingerprint(CERT));
        oldCertificatePin.checkServerTrusted(new X509Certificate[] {CERT}, "ECDHE_ECDSA");   // pins taken before key pinning
        assertThatThrownBy(() -> oldCertificatePin.checkServerTrusted(new X509Certificate[] {renewed}, "ECDHE_ECDSA"))
                .hasMessageStartingWith("server key pin: " + Certificates.publicKeyPin(renewed));
    }

    @Test
    void pinnedTrustManager_acceptsThePinnedCertificate_andRejectsOthersAndExpiredOnes() throws Exception {
        var pinned = new PinnedTrustManager(Certificates.fingerprint(CERT));
        pinned.checkServerTrusted(new X509Certificate[] {CERT}, "ECDHE_ECDSA");
        var other = Certificates.selfSigned(KeyPairs.newIdentityKeyPair(RANDOM), List.of("relay.example.com"), Instant.now(),
                Duration.ofDays(1), RANDOM);
        assertThatThrownBy(() -> pinned.checkServerTrusted(new X509Certificate[] {other}, "ECDHE_ECDSA"))
                .hasMessageStartingWith("server key pin: SHA256:")
                .hasMessageContaining("(expected: " + Certificates.fingerprint(CERT) + ")");
        var expired = Certificates.selfSigned(KEY, List.of("relay.example.com"), Instant.now().minus(Duration.ofDays(10)),
                Duration.ofDays(1), RANDOM);
        var pinnedExpired = new PinnedTrustManager(Certificates.fingerprint(expired));
        assertThatThrownBy(() -> pinnedExpired.checkServerTrusted(new X509Certificate[] {expired}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(() -> pinned.checkServerTrusted(new X509Certificate[0], "ECDHE_ECDSA"))
                .hasMessageStartingWith("server certificate: none");
        assertThatThrownBy(() -> pinned.checkClientTrusted(new X509Certificate[] {CERT}, "ECDHE_ECDSA"))
                .hasMessageStartingWith("client certificates: not used");
    }
}
