package dev.writeback.agent;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.KeyRing;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent's encryption keys by version, in {@code stateDir/keys/}: {@code v<N>.rsa} (RSA private key,
 * PKCS#8) and {@code v<N>.wrapped} (the package key as the relay sent it, RSA-OAEP wrapped, so the file alone
 * reveals nothing). Owner-only files; thread-safe. One ring serves every connection of the agent; each is told
 * when a version is installed so it can tell its relay session (see {@link #onInstalled}).
 *
 * <p>At load, only the newest complete version and the one before it are kept: the relay seals with the newest
 * once a rollover completed, and the one before may still be in flight on another relay session during the
 * overlap, which the link measures again from start because the agent that scheduled the destruction is gone.
 * Anything older, and the private key of a rollover that never completed and was overtaken, is deleted.
 */
public final class AgentKeys implements KeyRing {
    private static final Pattern RSA_FILE = Pattern.compile("v(\\d+)\\.rsa");

    private final Path dir;
    private final ConcurrentSkipListMap<Integer, PrivateKey> rsa = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Integer, PackageKey> packageKeys = new ConcurrentSkipListMap<>();
    private final List<IntConsumer> installed = new CopyOnWriteArrayList<>();

    private AgentKeys(Path dir) {
        this.dir = dir;
    }

    /** Loads every complete key version of a state directory. */
    public static AgentKeys load(Path stateDir) throws IOException {
        var keys = new AgentKeys(stateDir.resolve("keys"));
        if (!Files.isDirectory(keys.dir)) {
            throw new IOException(keys.dir + ": not found (expected: keys written by `agent register`)");
        }
        var found = new TreeMap<Integer, Path>();
        try (Stream<Path> files = Files.list(keys.dir)) {
            files.forEach(f -> {
                Matcher m = RSA_FILE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    found.put(Integer.parseInt(m.group(1)), f);
                }
            });
        }
        for (Map.Entry<Integer, Path> e : found.entrySet()) {
            Path wrapped = keys.dir.resolve("v" + e.getKey() + ".wrapped");
            if (!Files.exists(wrapped)) {
                continue;   // a rollover that never completed
            }
            PrivateKey privateKey = KeyPairs.privateKey("RSA", AgentState.readPem(e.getValue()));
            byte[] wrappedKey = Base64.getDecoder().decode(Files.readString(wrapped).strip());
            keys.rsa.put(e.getKey(), privateKey);
            keys.packageKeys.put(e.getKey(), RsaOaep.unwrap(e.getKey(), wrappedKey, privateKey));
        }
        if (keys.packageKeys.isEmpty()) {
            throw new IOException(keys.dir + ": no complete key version (expected: v<N>.rsa with v<N>.wrapped)");
        }
        keys.deleteStale(found.keySet());
        return keys;
    }

    /** Deletes versions older than the one before the newest, and overtaken incomplete rollovers. */
    private void deleteStale(Set<Integer> onDisk) throws IOException {
        int newest = packageKeys.lastKey();
        destroyBelow(newest - 1);
        for (int v : onDisk) {
            if (v < newest && !packageKeys.containsKey(v)) {
                Files.deleteIfExists(dir.resolve("v" + v + ".rsa"));
            }
        }
    }

    /** A new RSA key pair for {@code version}, persisted before its public key leaves the agent. */
    public static KeyPair newVersion(Path stateDir, int version, SecureRandom random) throws IOException {
        KeyPair pair = KeyPairs.newEncryptionKeyPair(random);
        Path dir = stateDir.resolve("keys");
        OwnerOnlyFiles.createDirectory(dir);
        OwnerOnlyFiles.write(dir.resolve("v" + version + ".rsa"), AgentState.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        return pair;
    }

    /** Stores the relay's wrapped package key for {@code version} (after {@link #newVersion}). */
    public static void completeVersion(Path stateDir, int version, byte[] wrappedPackageKey) throws IOException {
        OwnerOnlyFiles.write(stateDir.resolve("keys").resolve("v" + version + ".wrapped"),
                Base64.getEncoder().encodeToString(wrappedPackageKey) + "\n");
    }

    /** Adds a completed version to this ring (after a rollover), reading its private key from disk. */
    public void add(int version, byte[] wrappedPackageKey) throws IOException {
        PrivateKey privateKey = KeyPairs.privateKey("RSA", AgentState.readPem(dir.resolve("v" + version + ".rsa")));
        PackageKey key = RsaOaep.unwrap(version, wrappedPackageKey, privateKey);
        completeVersion(dir.getParent(), version, wrappedPackageKey);
        rsa.put(version, privateKey);
        packageKeys.put(version, key);
        installed.forEach(listener -> listener.accept(version));
    }

    /** Runs {@code listener} with the version each time {@link #add} installed one (on the installing thread; keep it short). */
    public void onInstalled(IntConsumer listener) {
        installed.add(listener);
    }

    /** Stops running a listener given to {@link #onInstalled}. */
    public void removeOnInstalled(IntConsumer listener) {
        installed.remove(listener);
    }

    /** Wipes and deletes every version below {@code version}. */
    public void destroyBelow(int version) throws IOException {
        for (Integer v : packageKeys.headMap(version).keySet()) {
            PackageKey k = packageKeys.remove(v);
            if (k != null) {
                k.close();
            }
            rsa.remove(v);
            Files.deleteIfExists(dir.resolve("v" + v + ".rsa"));
            Files.deleteIfExists(dir.resolve("v" + v + ".wrapped"));
        }
    }

    /** The oldest version still held. */
    public int oldestVersion() {
        return packageKeys.firstKey();
    }

    /** The newest version. */
    public int currentVersion() {
        return packageKeys.lastKey();
    }

    @Override
    public Optional<PackageKey> packageKey(int version) {
        return Optional.ofNullable(packageKeys.get(version));
    }

    @Override
    public Optional<PrivateKey> encryptionKey(int version) {
        return Optional.ofNullable(rsa.get(version));
    }

    @Override
    public String toString() {
        return "AgentKeys[versions=" + packageKeys.keySet() + "]";
    }
}
