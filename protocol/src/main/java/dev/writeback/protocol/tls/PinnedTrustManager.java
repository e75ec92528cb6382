package dev.writeback.protocol.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server whose leaf certificate has one exact SHA-256 fingerprint, the way an agent pins a relay's
 * self-signed certificate. Host names are not checked: the pin is stronger than a name.
 */
final class PinnedTrustManager implements X509TrustManager {
    private final String fingerprint;

    PinnedTrustManager(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("server certificate: none (expected: a certificate with " + fingerprint + ")");
        }
        String actual = Certificates.fingerprint(chain[0]);
        if (!actual.equals(fingerprint)) {
            throw new CertificateException("server certificate fingerprint: " + actual + " (expected: " + fingerprint + ")");
        }
        chain[0].checkValidity();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates: not used (expected: server authentication only)");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
