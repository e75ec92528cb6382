package dev.writeback.relay.cluster;

import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** A node's name in the cluster when none is configured: generated once and kept in the data directory. */
public final class NodeId {
    /** The file in the data directory. */
    public static final String FILE = "node-id";

    private NodeId() {}

    /** The configured id, else the one in {@code dataDir/node-id}, else a new {@code node-<hex>} written there. */
    public static String resolve(String configured, Path dataDir) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path file = dataDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String id = "node-" + HexFormat.of().formatHex(random);
        OwnerOnly.createDirectories(dataDir);
        OwnerOnly.replace(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
        return id;
    }
}
