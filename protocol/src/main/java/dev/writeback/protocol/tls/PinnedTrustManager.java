package dev.writeback.protocol.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server whose leaf certificate carries the pinned key (SHA-256 of its SubjectPublicKeyInfo, kept across
 * the relay's certificate renewals) or, for pins taken before key pinning, has the pinned certificate fingerprint.
 * Host names are not checked: the pin is stronger than a name.
 */
public final class PinnedTrustManager implements X509TrustManager {
    private final String fingerprint;

    PinnedTrustManager(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    /**
     * Trusts exactly the server certificate this pin names: its key pin or its certificate fingerprint
     * ({@link Certificates#matchesPin}); {@code pin} as a user writes it ({@link Certificates#normalizeFingerprint}).
     * Used for the relay's certificate and for a directory's {@code trustFingerprint}.
     */
    public static PinnedTrustManager of(String pin) {
        return new PinnedTrustManager(Certificates.normalizeFingerprint(pin));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("server certificate: none (expected: a certificate with " + fingerprint + ")");
        }
        if (!Certificates.matchesPin(chain[0], fingerprint)) {
            throw new CertificateException("server key pin: " + Certificates.publicKeyPin(chain[0]) + " (expected: "
                    + fingerprint + ")");
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
