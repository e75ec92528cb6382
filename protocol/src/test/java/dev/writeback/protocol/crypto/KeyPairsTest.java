package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.crypto.TestKeys.IDENTITY;
import static dev.writeback.protocol.crypto.TestKeys.RANDOM;
import static dev.writeback.protocol.crypto.TestKeys.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPairsTest {
    @Test
    void identityKey_isP256_andDecodesFromX509() {
        assertThat(IDENTITY.getPublic().getAlgorithm()).isEqualTo("EC");
        assertThat(KeyPairs.identityPublicKey(IDENTITY.getPublic().getEncoded())).isEqualTo(IDENTITY.getPublic());
    }

    @Test
    void encryptionKey_isRsa2048_andDecodesFromX509() {
        assertThat(((RSAPublicKey) RSA.getPublic()).getModulus().bitLength()).isEqualTo(2048);
        byte[] der = RSA.getPublic().getEncoded();
        assertThat(der).hasSize(294);   // fits the KEYS frame's 2048-byte bound with room to spare
        assertThat(KeyPairs.encryptionPublicKey(der)).isEqualTo(RSA.getPublic());
    }

    @Test
    void privateKeys_roundTripThroughPkcs8() {
        assertThat(KeyPairs.privateKey("EC", IDENTITY.getPrivate().getEncoded())).isEqualTo(IDENTITY.getPrivate());
        assertThat(KeyPairs.privateKey("RSA", RSA.getPrivate().getEncoded())).isEqualTo(RSA.getPrivate());
    }

    @Test
    void encryptionPublicKey_rejectsRsa1024() throws Exception {
        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024, RANDOM);
        byte[] der = gen.generateKeyPair().getPublic().getEncoded();
        assertThatThrownBy(() -> KeyPairs.encryptionPublicKey(der)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("encryption public key size: 1024 bits (expected: 2048, 3072 or 4096)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp384r1", "secp256k1", "brainpoolP256r1"})
    void identityPublicKey_rejectsCurvesOtherThanP256(String curve) throws Exception {
        var gen = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());   // the JDK no longer makes some of these
        gen.initialize(new ECGenParameterSpec(curve), RANDOM);
        byte[] der = gen.generateKeyPair().getPublic().getEncoded();
        assertThatThrownBy(() -> KeyPairs.identityPublicKey(der)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity public key: not P-256 (expected: an ECDSA P-256 key)");
    }

    @Test
    void publicKeys_ofTheWrongAlgorithmOrGarbage_areRejectedByName() {
        assertThatThrownBy(() -> KeyPairs.identityPublicKey(RSA.getPublic().getEncoded()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("identity public key: ");
        assertThatThrownBy(() -> KeyPairs.encryptionPublicKey(IDENTITY.getPublic().getEncoded()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("encryption public key: ");
        assertThatThrownBy(() -> KeyPairs.encryptionPublicKey(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("encryption public key: unreadable (expected: X.509 DER RSA key)");
        assertThatThrownBy(() -> KeyPairs.privateKey("RSA", new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RSA private key: unreadable (expected: PKCS#8 DER)");
    }
}
