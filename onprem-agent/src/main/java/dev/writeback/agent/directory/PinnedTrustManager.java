package dev.writeback.agent.directory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.X509TrustManager;

/** Trusts exactly one server certificate, named by its SHA-256 fingerprint ({@code trustFingerprint}). */
final class PinnedTrustManager implements X509TrustManager {
    private final byte[] expected;

    PinnedTrustManager(String fingerprint) {
        String hex = fingerprint.strip().substring("SHA256:".length()).replace(":", "").toLowerCase(Locale.ROOT);
        this.expected = HexFormat.of().parseHex(hex);
    }

    static String fingerprintOf(X509Certificate cert) throws CertificateEncodingException {
        return "SHA256:" + HexFormat.ofDelimiter(":").formatHex(sha256(cert.getEncoded())).toUpperCase(Locale.ROOT);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("server certificate: none (expected: the pinned certificate)");
        }
        chain[0].checkValidity();
        if (!MessageDigest.isEqual(expected, sha256(chain[0].getEncoded()))) {
            throw new CertificateException("server certificate: " + fingerprintOf(chain[0])
                    + " (expected: the pinned trustFingerprint)");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates: not accepted (expected: server use only)");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
