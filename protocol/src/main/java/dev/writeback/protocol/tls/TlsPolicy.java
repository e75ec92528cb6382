package dev.writeback.protocol.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * The one TLS policy of both sides: TLS 1.3 preferred, TLS 1.2 allowed, the JDK provider (portable to the
 * Windows agent), and three ways for an agent to trust the relay: a pinned SHA-256 fingerprint, a CA file, or
 * the system trust store.
 */
public final class TlsPolicy {
    /** Protocols offered, best first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsPolicy() {}

    /** A server context for the relay's certificate chain and key. */
    public static SslContext server(PrivateKey key, List<X509Certificate> chain) throws SSLException {
        requireNonNull(key, "key");
        return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .build();
    }

    /** A client context that trusts exactly the certificate with this SHA-256 fingerprint. */
    public static SslContext pinned(String fingerprint) throws SSLException {
        return client(new PinnedTrustManager(Certificates.normalizeFingerprint(fingerprint)));
    }

    /** A client context that trusts the given CA certificates. */
    public static SslContext trusting(List<X509Certificate> cas) throws SSLException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                .trustManager(cas.toArray(X509Certificate[]::new)).endpointIdentificationAlgorithm("HTTPS").build();
    }

    /** A client context that trusts the JVM's default trust store. */
    public static SslContext systemTrust() throws SSLException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm("HTTPS").build();
    }

    /** A JDK {@link javax.net.ssl.SSLContext} that trusts exactly one certificate fingerprint (for plain HTTPS calls). */
    public static javax.net.ssl.SSLContext pinnedJdk(String fingerprint) {
        return jdk(new TrustManager[] {new PinnedTrustManager(Certificates.normalizeFingerprint(fingerprint))});
    }

    /** A JDK {@link javax.net.ssl.SSLContext} that trusts the given CA certificates. */
    public static javax.net.ssl.SSLContext trustingJdk(List<X509Certificate> cas) {
        try {
            var store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            var factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return jdk(factory.getTrustManagers());
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("trust store: " + e.getMessage(), e);
        }
    }

    private static javax.net.ssl.SSLContext jdk(TrustManager[] trust) {
        try {
            var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, trust, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("TLS unavailable: " + e.getMessage(), e);
        }
    }

    private static SslContext client(TrustManager trust) throws SSLException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS).trustManager(trust)
                .endpointIdentificationAlgorithm(null)   // the pin replaces the host name check (Netty 4.2 enables it by default)
                .build();
    }
}
