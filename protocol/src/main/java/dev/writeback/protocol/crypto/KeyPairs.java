package dev.writeback.protocol.crypto;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * The two kinds of agent key: the identity key (ECDSA P-256, signs AUTH) and the encryption key (RSA-2048,
 * OAEP-SHA-256, receives passwords and the wrapped package key). Public keys travel as X.509 DER, private keys
 * are kept as PKCS#8 DER.
 */
public final class KeyPairs {
    /** Size of the RSA encryption key. */
    public static final int RSA_BITS = 2048;

    private static final ECParameterSpec P256 = p256();

    private KeyPairs() {}

    /** A new ECDSA P-256 identity key pair. */
    public static KeyPair newIdentityKeyPair(SecureRandom random) {
        try {
            var gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JVM", e);
        }
    }

    /** A new RSA-2048 encryption key pair. */
    public static KeyPair newEncryptionKeyPair(SecureRandom random) {
        try {
            var gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(new RSAKeyGenParameterSpec(RSA_BITS, RSAKeyGenParameterSpec.F4), random);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available in this JVM", e);
        }
    }

    /** Decodes an X.509 DER EC public key and checks it is on P-256 (not merely some 256-bit curve). */
    public static PublicKey identityPublicKey(byte[] der) {
        PublicKey key = decodePublic("EC", der, "identity public key");
        if (!(key instanceof ECPublicKey ec) || !isP256(ec.getParams())) {
            throw new IllegalArgumentException("identity public key: not P-256 (expected: an ECDSA P-256 key)");
        }
        return key;
    }

    /** Decodes an X.509 DER RSA public key and checks its size. */
    public static PublicKey encryptionPublicKey(byte[] der) {
        PublicKey key = decodePublic("RSA", der, "encryption public key");
        var rsa = (java.security.interfaces.RSAPublicKey) key;
        int bits = rsa.getModulus().bitLength();
        if (bits != 2048 && bits != 3072 && bits != 4096) {
            throw new IllegalArgumentException("encryption public key size: " + bits + " bits (expected: 2048, 3072 or 4096)");
        }
        // A tenant-chosen exponent makes every seal cost what the tenant likes (a 3070-bit one: 30 times slower)
        if (!rsa.getPublicExponent().equals(java.security.spec.RSAKeyGenParameterSpec.F4)) {
            BigInteger e = rsa.getPublicExponent();
            throw new IllegalArgumentException("encryption public key exponent: "
                    + (e.bitLength() <= 32 ? e.toString() : "a " + e.bitLength() + "-bit number") + " (expected: 65537)");
        }
        return key;
    }

    /** Decodes a PKCS#8 DER private key of the given algorithm ({@code EC} or {@code RSA}). */
    public static PrivateKey privateKey(String algorithm, byte[] pkcs8) {
        requireNonNull(pkcs8, "pkcs8");
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(algorithm + " private key: unreadable (expected: PKCS#8 DER)", e);
        }
    }

    private static boolean isP256(ECParameterSpec params) {
        return params.getCurve().equals(P256.getCurve()) && params.getGenerator().equals(P256.getGenerator())
                && params.getOrder().equals(P256.getOrder()) && params.getCofactor() == P256.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            var params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JVM", e);
        }
    }

    private static PublicKey decodePublic(String algorithm, byte[] der, String what) {
        requireNonNull(der, "der");
        try {
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(what + ": unreadable (expected: X.509 DER " + algorithm + " key)", e);
        }
    }
}
