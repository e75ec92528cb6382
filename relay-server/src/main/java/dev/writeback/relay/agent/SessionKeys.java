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
 * requests sealed before a rollover. Changed only on the session's event loop; the current version may be read
 * from any thread (status API).
 */
final class SessionKeys {
    private final Map<Integer, PackageKey> packageKeys = new HashMap<>();
    private volatile int current;
    private PublicKey currentRsa;
    /** The current key and RSA key together, for sealing on another thread. */
    private volatile Current sealing;

    /** The key to seal with now, and the agent's RSA key of its version. */
    record Current(PackageKey key, PublicKey rsa) {}
    private Instant currentCreatedAt;

    static SessionKeys of(List<AgentKey> keys) {
        return of(keys, Integer.MAX_VALUE);
    }

    /**
     * The versions up to {@code ceiling}: a session that connects while a rollover waits for the agent's
     * confirmation must not seal with the new version yet (see {@link KeyRotation}).
     */
    static SessionKeys of(List<AgentKey> keys, int ceiling) {
        var k = new SessionKeys();
        AgentKey newestRetired = null;
        for (AgentKey key : keys) {
            if (key.version() <= ceiling) {
                k.add(key);
                if (key.retired() && (newestRetired == null || key.version() > newestRetired.version())) {
                    newestRetired = key;
                }
            }
        }
        if (k.isEmpty() && newestRetired != null) {
            // Below an unconfirmed rollover the previous version is already retired, but both sides hold it until
            // the overlap ends: a session that connects in that window seals with it until the agent's heartbeat
            // says it holds the new one (it used to be refused as having no active key).
            k.current = newestRetired.version();
            k.currentRsa = KeyPairs.encryptionPublicKey(newestRetired.rsaPublicKey());
            k.currentCreatedAt = newestRetired.createdAt();
            k.sealing = new Current(k.packageKeys.get(k.current), k.currentRsa);
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
        if (current > 0) {
            sealing = new Current(packageKeys.get(current), currentRsa);
        }
    }

    /** The current key and RSA key, read from any thread (null before the first key). */
    Current sealing() {
        return sealing;
    }

    void forget(int version) {
        PackageKey k = packageKeys.remove(version);
        if (k != null) {
            k.close();
        }
    }

    /** Wipes every version below {@code version}: the overlap after a switch to it has passed. */
    void forgetBelow(int version) {
        for (int v : List.copyOf(packageKeys.keySet())) {
            if (v < version) {
                forget(v);
            }
        }
    }

    /** Whether versions older than the current one are still held. */
    boolean holdsOlder() {
        return packageKeys.keySet().stream().anyMatch(v -> v < current);
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
