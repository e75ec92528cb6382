package dev.writeback.protocol.crypto;

import java.security.PrivateKey;
import java.util.Optional;

/** The keys an agent holds, by version: package keys and the RSA private keys that receive passwords. */
public interface KeyRing {
    /** The package key of {@code version}, if still held. */
    Optional<PackageKey> packageKey(int version);

    /** The RSA private key of {@code version}, if still held. */
    Optional<PrivateKey> encryptionKey(int version);
}
