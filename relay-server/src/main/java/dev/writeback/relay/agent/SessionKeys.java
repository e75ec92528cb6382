package dev.writeback.relay.agent;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.relay.store.AgentKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key versions a session can use: the current one seals new requests, older ones still open results of
 * requests sealed before a rollover. Touched only on the session's event loop.
 */
final class SessionKeys {
    private final Map<Integer, PackageKey> packageKeys = new HashMap<>();
    private int current;
    private PublicKey currentRsa;
    private Instant currentCreatedAt;

    static SessionKeys of(List<AgentKey> keys) {
        var k = new SessionKeys();
        for (AgentKey key : keys) {
            k.add(key);
        }
        return k;
    }

    void add(AgentKey key) {
        byte[] raw = key.packageKey();
        try {
            PackageKey old = packageKeys.put(key.version(), PackageKey.of(key.version(), raw));
            if (old != null) {
                old.close();
            }
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
        if (!key.retired() && key.version() > current) {
            current = key.version();
            currentRsa = KeyPairs.encryptionPublicKey(key.rsaPublicKey());
            currentCreatedAt = key.createdAt();
        }
    }

    void forget(int version) {
        PackageKey k = packageKeys.remove(version);
        if (k != null) {
            k.close();
        }
    }

    boolean isEmpty() {
        return current == 0;
    }

    int currentVersion() {
        return current;
    }

    PackageKey currentKey() {
        return packageKeys.get(current);
    }

    PublicKey currentRsa() {
        return currentRsa;
    }

    Instant currentCreatedAt() {
        return currentCreatedAt;
    }

    Optional<PackageKey> key(int version) {
        return Optional.ofNullable(packageKeys.get(version));
    }

    void destroy() {
        packageKeys.values().forEach(PackageKey::close);
        packageKeys.clear();
    }
}
