package dev.writeback.agent;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.KeyRing;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's encryption keys by version, in {@code stateDir/keys/}: {@code v<N>.rsa} (RSA private key,
 * PKCS#8) and {@code v<N>.wrapped} (the package key as the relay sent it, RSA-OAEP wrapped, so the file alone
 * reveals nothing). Owner-only files; thread-safe. One ring serves every connection of the agent; each is told
 * when a version is installed so it can tell its relay session (see {@link #onInstalled}).
 *
 * <p>At load, only the newest complete version and the one before it are kept: the relay seals with the newest
 * once a rollover completed, and the one before may still be in flight on another relay session during the
 * overlap, which the link measures again from start because the agent that scheduled the destruction is gone.
 * Anything older, and the private key of a rollover that never completed and was overtaken, is destroyed. A
 * version whose files cannot be read is logged ({@code AGT-003}) and left on disk; the agent starts with the others.
 *
 * <p>The relay is not trusted with the files: a rotation is accepted only to a version newer than every version
 * held, and no key file is ever replaced, so a relay that sends {@code ROTATE_KEYS} or {@code KEYS} for a version the
 * agent already holds cannot destroy it ({@link RefusedVersionException}). Destroyed files are overwritten before
 * they are deleted.
 */
public final class AgentKeys implements KeyRing {
    private static final Logger logger = LoggerFactory.getLogger(AgentKeys.class);
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
        var damaged = new TreeMap<Integer, String>();
        for (Map.Entry<Integer, Path> e : found.entrySet()) {
            Path wrapped = keys.wrappedFile(e.getKey());
            if (!Files.exists(wrapped)) {
                continue;   // a rollover that never completed
            }
            try {
                keys.loadVersion(e.getKey(), e.getValue(), wrapped);
            } catch (IOException | RuntimeException problem) {
                damaged.put(e.getKey(), problem.toString());
                logger.warn("AGT-003 key version {} in {} cannot be read, left on disk and not used: {}", e.getKey(), keys.dir,
                        problem.toString());
            }
        }
        if (keys.packageKeys.isEmpty()) {
            throw new IOException(keys.dir + ": no readable complete key version (expected: v<N>.rsa with v<N>.wrapped"
                    + (damaged.isEmpty() ? "" : "; unreadable: " + damaged.keySet()) + ")");
        }
        found.keySet().removeAll(damaged.keySet());
        keys.deleteStale(found.keySet());
        return keys;
    }

    private void loadVersion(int version, Path rsaFile, Path wrapped) throws IOException {
        PrivateKey privateKey = KeyPairs.privateKey("RSA", AgentState.readPem(rsaFile));
        byte[] wrappedKey = Base64.getDecoder().decode(Files.readString(wrapped).strip());
        PackageKey key = RsaOaep.unwrap(version, wrappedKey, privateKey);
        rsa.put(version, privateKey);
        packageKeys.put(version, key);
    }

    /** Destroys versions older than the one before the newest, and overtaken incomplete rollovers. */
    private void deleteStale(Set<Integer> onDisk) throws IOException {
        int newest = packageKeys.lastKey();
        destroyBelow(newest - 1);
        for (int v : onDisk) {
            if (v < newest && !packageKeys.containsKey(v)) {
                OwnerOnly.destroy(rsaFile(v));
            }
        }
    }

    /**
     * A new RSA key pair for {@code version}, persisted before its public key leaves the agent. Registration uses
     * it for the first version; a running agent uses {@link #prepare}. Never replaces an existing file.
     */
    public static KeyPair newVersion(Path stateDir, int version, SecureRandom random) throws IOException {
        KeyPair pair = KeyPairs.newEncryptionKeyPair(random);
        Path dir = stateDir.resolve("keys");
        OwnerOnly.directory(dir);
        OwnerOnly.createNew(dir.resolve("v" + version + ".rsa"),
                AgentState.pem("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.UTF_8));
        return pair;
    }

    /** Stores the relay's wrapped package key for {@code version} (after {@link #newVersion}); never replaces a file. */
    public static void completeVersion(Path stateDir, int version, byte[] wrappedPackageKey) throws IOException {
        OwnerOnly.createNew(stateDir.resolve("keys").resolve("v" + version + ".wrapped"),
                (Base64.getEncoder().encodeToString(wrappedPackageKey) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key pair for a rotation to {@code version} ({@code ROTATE_KEYS}): a new one, or the one already prepared for
     * that version by a rotation that was interrupted before its {@code KEYS} came.
     *
     * @throws RefusedVersionException when {@code version} is not newer than every version held
     */
    public synchronized KeyPair prepare(int version, SecureRandom random) throws IOException {
        refuseUnlessNewer(version, "ROTATE_KEYS");
        Path file = rsaFile(version);
        if (!Files.exists(file)) {
            return newVersion(dir.getParent(), version, random);
        }
        PrivateKey privateKey = KeyPairs.privateKey("RSA", AgentState.readPem(file));
        return new KeyPair(publicKeyOf(privateKey, file), privateKey);
    }

    /**
     * Adds a completed version to this ring (after a rollover), reading its private key from disk.
     *
     * @throws RefusedVersionException when {@code version} is not newer than every version held
     */
    public void add(int version, byte[] wrappedPackageKey) throws IOException {
        synchronized (this) {
            refuseUnlessNewer(version, "KEYS");
            PrivateKey privateKey = KeyPairs.privateKey("RSA", AgentState.readPem(rsaFile(version)));
            PackageKey key = RsaOaep.unwrap(version, wrappedPackageKey, privateKey);
            try {
                completeVersion(dir.getParent(), version, wrappedPackageKey);
            } catch (IOException | RuntimeException e) {
                key.close();
                throw e;
            }
            rsa.put(version, privateKey);
            packageKeys.put(version, key);
        }
        installed.forEach(listener -> listener.accept(version));
    }

    private void refuseUnlessNewer(int version, String frame) throws RefusedVersionException {
        int newest = packageKeys.isEmpty() ? 0 : packageKeys.lastKey();
        if (version <= newest) {
            throw new RefusedVersionException(frame + " key version: " + version + " (expected: > " + newest
                    + ", the newest version this agent holds)");
        }
    }

    private static PublicKey publicKeyOf(PrivateKey privateKey, Path file) throws IOException {
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IOException(file + ": not an RSA CRT private key (expected: the key written by the agent)");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": public key cannot be derived", e);
        }
    }

    private Path rsaFile(int version) {
        return dir.resolve("v" + version + ".rsa");
    }

    private Path wrappedFile(int version) {
        return dir.resolve("v" + version + ".wrapped");
    }

    /** Runs {@code listener} with the version each time {@link #add} installed one (on the installing thread; keep it short). */
    public void onInstalled(IntConsumer listener) {
        installed.add(listener);
    }

    /** Stops running a listener given to {@link #onInstalled}. */
    public void removeOnInstalled(IntConsumer listener) {
        installed.remove(listener);
    }

    /** Wipes every version below {@code version} from memory, and overwrites and deletes its files. */
    public void destroyBelow(int version) throws IOException {
        for (Integer v : packageKeys.headMap(version).keySet()) {
            PackageKey k = packageKeys.remove(v);
            if (k != null) {
                k.close();
            }
            rsa.remove(v);
            OwnerOnly.destroy(rsaFile(v));
            OwnerOnly.destroy(wrappedFile(v));
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

    /** A rotation step for a version that is not newer than every version the agent holds; nothing was changed. */
    public static final class RefusedVersionException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedVersionException(String message) {
            super(message);
        }
    }
}
