package dev.writeback.protocol.crypto;

import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider for RSA private operations (opening a sealed password, unwrapping a package key): Amazon Corretto
 * Crypto Provider (AWS-LC, native) when it is on the class path, loads on this platform and passes its own self
 * tests; otherwise the JDK's. The algorithm is the same either way (RSA-OAEP-SHA-256, RFC 8017); only the
 * implementation of the private-key exponentiation changes, which is about 1.6 times faster natively.
 *
 * <p>The system property {@value #PROPERTY} set to {@code jdk} turns the native provider off; {@code auto} (the
 * default) uses it when healthy.
 */
final class NativeRsa {
    static final String PROPERTY = "writeback.crypto.provider";
    private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";
    private static final Logger logger = LoggerFactory.getLogger(NativeRsa.class);
    private static final Map<PrivateKey, PrivateKey> TRANSLATED = new WeakHashMap<>();
    private static final Optional<Provider> PROVIDER = select(System.getProperty(PROPERTY, "auto"));

    private NativeRsa() {}

    /** The native provider to try first, if any. */
    static Optional<Provider> provider() {
        return PROVIDER;
    }

    /**
     * The native provider's form of {@code key}, translated once per key: translating on every call costs as much as
     * the exponentiation saves. Keys are held weakly, so a key dropped at rollover is forgotten.
     */
    static PrivateKey nativeKey(Provider provider, PrivateKey key) throws InvalidKeyException {
        synchronized (TRANSLATED) {
            PrivateKey translated = TRANSLATED.get(key);
            if (translated != null) {
                return translated;
            }
        }
        PrivateKey translated;
        try {
            translated = (PrivateKey) KeyFactory.getInstance(key.getAlgorithm(), provider).translateKey(key);
        } catch (NoSuchAlgorithmException e) {
            throw new InvalidKeyException(key.getAlgorithm() + ": not offered by " + provider.getName(), e);
        }
        synchronized (TRANSLATED) {
            TRANSLATED.put(key, translated);
        }
        return translated;
    }

    /** A short name for diagnostics: the native provider's name and version, or {@code JDK}. */
    static String description() {
        return PROVIDER.map(p -> p.getName() + " " + p.getVersionStr()).orElse("JDK");
    }

    static Optional<Provider> select(String setting) {
        String choice = setting.trim().toLowerCase(Locale.ROOT);
        if (choice.equals("jdk")) {
            return Optional.empty();
        }
        if (!choice.equals("auto")) {
            throw new IllegalArgumentException(PROPERTY + ": " + setting + " (expected: auto or jdk)");
        }
        try {
            Class<?> type = Class.forName(ACCP);
            Provider provider = (Provider) type.getField("INSTANCE").get(null);
            Object loadingError = type.getMethod("getLoadingError").invoke(provider);
            if (loadingError != null) {
                logger.debug("Native RSA provider not usable on this platform, using the JDK's: {}", loadingError);
                return Optional.empty();
            }
            type.getMethod("assertHealthy").invoke(provider);
            return Optional.of(provider);
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            logger.debug("Native RSA provider failed its self test, using the JDK's: {}", cause.toString());
            return Optional.empty();
        }
    }
}
