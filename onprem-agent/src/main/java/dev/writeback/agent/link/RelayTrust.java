package dev.writeback.agent.link;

import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * How the agent trusts the relay's certificate: a pinned SHA-256 fingerprint, a CA file, or the system trust
 * store. Exactly one applies.
 *
 * @param fingerprint the pinned fingerprint, or null
 * @param caFile a PEM CA file, or null
 */
public record RelayTrust(String fingerprint, Path caFile) {
    public RelayTrust {
        if (fingerprint != null && caFile != null) {
            throw new IllegalArgumentException("trust: both a fingerprint and a CA file (expected: one of them)");
        }
        if (fingerprint != null) {
            fingerprint = Certificates.normalizeFingerprint(fingerprint);
        }
    }

    /** The Netty client context for the WebSocket link. */
    public SslContext nettyContext() throws IOException {
        if (fingerprint != null) {
            return TlsPolicy.pinned(fingerprint);
        }
        if (caFile != null) {
            return TlsPolicy.trusting(Certificates.readCertificates(caFile));
        }
        return TlsPolicy.systemTrust();
    }

    /** The JDK context for plain HTTPS calls (registration). */
    public SSLContext jdkContext() throws IOException {
        if (fingerprint != null) {
            return TlsPolicy.pinnedJdk(fingerprint);
        }
        if (caFile != null) {
            return TlsPolicy.trustingJdk(Certificates.readCertificates(caFile));
        }
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
    }

    /** Whether host names are checked (not when a fingerprint pins the exact certificate). */
    public boolean checksHostname() {
        return fingerprint == null;
    }

    /** A one-line description for logs. */
    public String describe() {
        return fingerprint != null ? "pinned " + fingerprint : caFile != null ? "CA file " + caFile : "system trust store";
    }
}
