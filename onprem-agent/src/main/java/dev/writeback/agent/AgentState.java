package dev.writeback.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.writeback.agent.link.RelayTrust;
import dev.writeback.protocol.ConfigPaths;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;

/**
 * The agent's registration, kept in its state directory: {@code agent.json} (ids, relay URL, trust) and
 * {@code identity.key} (the ECDSA P-256 private key, PKCS#8, owner-only). Encryption keys live in
 * {@link AgentKeys} under {@code keys/}.
 *
 * @param relayUrl the relay's base URL ({@code https://host:port})
 * @param tenantId the tenant the agent serves
 * @param agentId the agent's id
 * @param name the agent's display name
 * @param trustFingerprint the relay's pinned key ({@code SHA256:} of its SubjectPublicKeyInfo; a certificate
 *                         fingerprint pinned before key pinning still works), or null
 * @param trustCaFile a CA file for the relay certificate, or null (with no fingerprint either: system trust);
 *                    {@code agent register} writes it absolute, a relative value is taken inside the state directory
 * @param registeredAt when registration happened
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentState(String relayUrl, String tenantId, String agentId, String name, String trustFingerprint,
                         String trustCaFile, Instant registeredAt) {
    static final String FILE = "agent.json";
    static final String IDENTITY_KEY = "identity.key";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public AgentState {
        requireNonNull(relayUrl, "relayUrl");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(agentId, "agentId");
        requireNonNull(name, "name");
        requireNonNull(registeredAt, "registeredAt");
    }

    /** How the relay certificate is trusted; a relative {@code trustCaFile} is resolved against {@code stateDir}. */
    public RelayTrust relayTrust(Path stateDir) {
        return new RelayTrust(trustFingerprint, ConfigPaths.resolve(stateDir.toAbsolutePath(), trustCaFile));
    }

    /** Whether a state directory holds a registration. */
    public static boolean exists(Path stateDir) {
        return Files.isRegularFile(stateDir.resolve(FILE));
    }

    /** Reads the registration of a state directory. */
    public static AgentState load(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not found (expected: a registered agent; run `agent register` first)");
        }
        return JSON.readValue(file.toFile(), AgentState.class);
    }

    /** Writes the registration and the identity key, owner-only. */
    void save(Path stateDir, PrivateKey identityKey) throws IOException {
        OwnerOnly.directory(stateDir);
        OwnerOnly.replace(stateDir.resolve(IDENTITY_KEY),
                pem("PRIVATE KEY", identityKey.getEncoded()).getBytes(StandardCharsets.UTF_8));
        write(stateDir);
    }

    /** Rewrites {@code agent.json} only (owner-only), e.g. after a re-pin. */
    void write(Path stateDir) throws IOException {
        OwnerOnly.replace(stateDir.resolve(FILE), JSON.writeValueAsString(this).getBytes(StandardCharsets.UTF_8));
    }

    /** The same registration trusting the relay another way: a key pin, a CA file, or (both null) the system store. */
    AgentState withTrust(String fingerprint, String caFile) {
        return new AgentState(relayUrl, tenantId, agentId, name, fingerprint, caFile, registeredAt);
    }

    /** Reads the identity private key. */
    static PrivateKey identityKey(Path stateDir) throws IOException {
        return KeyPairs.privateKey("EC", readPem(stateDir.resolve(IDENTITY_KEY)));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] readPem(Path file) throws IOException {
        String text = Files.readString(file);
        String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a PEM file (expected: BEGIN/END with base64)", e);
        }
    }
}
