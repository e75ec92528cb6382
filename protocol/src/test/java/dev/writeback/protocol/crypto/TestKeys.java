package dev.writeback.protocol.crypto;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;

/** Keys made once per test JVM (RSA generation is slow), and a map-backed {@link KeyRing}. */
final class TestKeys {
    static final SecureRandom RANDOM = new SecureRandom();
    static final KeyPair RSA = KeyPairs.newEncryptionKeyPair(RANDOM);
    static final KeyPair OTHER_RSA = KeyPairs.newEncryptionKeyPair(RANDOM);
    static final KeyPair IDENTITY = KeyPairs.newIdentityKeyPair(RANDOM);
    static final KeyPair OTHER_IDENTITY = KeyPairs.newIdentityKeyPair(RANDOM);

    private TestKeys() {}

    /** A key ring holding exactly these keys. */
    record MapKeyRing(Map<Integer, PackageKey> packageKeys, Map<Integer, PrivateKey> encryptionKeys) implements KeyRing {
        @Override
        public Optional<PackageKey> packageKey(int version) {
            return Optional.ofNullable(packageKeys.get(version));
        }

        @Override
        public Optional<PrivateKey> encryptionKey(int version) {
            return Optional.ofNullable(encryptionKeys.get(version));
        }
    }

    static KeyRing ring(PackageKey key, PrivateKey rsa) {
        return new MapKeyRing(Map.of(key.version(), key), Map.of(key.version(), rsa));
    }
}
