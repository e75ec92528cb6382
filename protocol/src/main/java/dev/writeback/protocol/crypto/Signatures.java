package dev.writeback.protocol.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/** ECDSA P-256 with SHA-256 signatures (DER-encoded), used for agent authentication. */
public final class Signatures {
    private static final String ALGORITHM = "SHA256withECDSA";

    private Signatures() {}

    /** Signs {@code data} with the identity private key. */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            var s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Whether {@code signature} is a valid signature of {@code data}; malformed signatures are simply invalid. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            var s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
