package dev.writeback.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.agent.link.ProxySettings;
import dev.writeback.agent.link.RelayTrust;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import javax.net.ssl.HttpsURLConnection;

/**
 * {@code agent register}: makes the identity (ECDSA P-256) and encryption (RSA-2048) key pairs on-premises,
 * sends only the public keys with the one-time token, and stores what the relay answers — ids and the package
 * key wrapped with the agent's RSA key — in an owner-only state directory.
 */
final class Registration {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Registration() {}

    static AgentState register(URI relay, RelayTrust trust, ProxySettings proxy, String token, String name, Path stateDir,
            Clock clock) throws IOException {
        if (AgentState.exists(stateDir)) {
            throw new IOException(stateDir + " already holds a registration (expected: an empty state directory, or delete it to re-register)");
        }
        boolean existed = java.nio.file.Files.exists(stateDir);
        try {
            return exchange(relay, trust, proxy, token, name, stateDir, clock);
        } catch (IOException | RuntimeException e) {
            removePartialState(stateDir, existed);   // a failed registration leaves no private key behind
            throw e;
        }
    }

    private static AgentState exchange(URI relay, RelayTrust trust, ProxySettings proxy, String token, String name,
            Path stateDir, Clock clock) throws IOException {
        var random = new SecureRandom();
        var identity = KeyPairs.newIdentityKeyPair(random);
        OwnerOnly.directory(stateDir);
        var encryption = AgentKeys.newVersion(stateDir, 1, random);
        var body = new LinkedHashMap<String, String>();
        body.put("token", token);
        body.put("name", name);
        body.put("identityPublicKey", Base64.getEncoder().encodeToString(identity.getPublic().getEncoded()));
        body.put("encryptionPublicKey", Base64.getEncoder().encodeToString(encryption.getPublic().getEncoded()));
        URI uri = relay.resolve(ProtocolVersion.REGISTER_PATH);
        JsonNode answer = proxy == null ? post(uri, trust, JSON.writeValueAsBytes(body))
                : viaProxy(proxy, uri, trust, JSON.writeValueAsBytes(body));
        int version = answer.path("keyVersion").asInt(0);
        byte[] wrapped = Base64.getDecoder().decode(answer.path("wrappedPackageKey").asText(""));
        RsaOaep.unwrap(version, wrapped, encryption.getPrivate()).close();   // proves the key was wrapped for us
        AgentKeys.completeVersion(stateDir, version, wrapped);
        var state = new AgentState(relay.toString(), answer.path("tenantId").asText(), answer.path("agentId").asText(), name,
                trust.fingerprint(), trust.caFile() == null ? null : trust.caFile().toAbsolutePath().toString(), clock.instant());
        state.save(stateDir, identity.getPrivate());
        return state;
    }

    private static void removePartialState(Path stateDir, boolean existed) {
        try {
            Path keys = stateDir.resolve("keys");
            OwnerOnly.destroy(keys.resolve("v1.rsa"));
            OwnerOnly.destroy(keys.resolve("v1.wrapped"));
            java.nio.file.Files.deleteIfExists(keys);
            if (!existed) {
                java.nio.file.Files.deleteIfExists(stateDir);
            }
        } catch (IOException e) {
            // best effort: the error that caused the clean-up is what the operator needs to see
        }
    }

    private static JsonNode post(URI uri, RelayTrust trust, byte[] body) throws IOException {
        var conn = (HttpsURLConnection) uri.toURL().openConnection();
        try {
            conn.setSSLSocketFactory(trust.jdkContext().getSocketFactory());
            if (!trust.checksHostname()) {
                conn.setHostnameVerifier((host, session) -> true);   // the fingerprint pins the exact certificate
            }
            conn.setConnectTimeout(10_000);
            conn.setReadTimeout(30_000);
            conn.setRequestMethod("POST");
            conn.setDoOutput(true);
            conn.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = conn.getOutputStream()) {
                out.write(body);
            }
            int status = conn.getResponseCode();
            try (InputStream in = status < 400 ? conn.getInputStream() : conn.getErrorStream()) {
                String text = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                if (status != 200 && status != 201) {
                    throw new IOException("registration refused by " + uri.getHost() + ": HTTP " + status + " " + message(text));
                }
                return JSON.readTree(text);
            }
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("TLS to " + uri.getHost() + " failed (" + e.getMessage() + "); check --trust-fingerprint or --ca-file", e);
        } catch (java.net.ConnectException | java.net.SocketTimeoutException | java.net.UnknownHostException e) {
            throw new IOException("relay " + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 443)
                    + " unreachable: " + e.getMessage(), e);
        } finally {
            conn.disconnect();
        }
    }

    private static JsonNode viaProxy(ProxySettings proxy, URI uri, RelayTrust trust, byte[] body) throws IOException {
        ProxyTunnel.Answer answer;
        try {
            answer = ProxyTunnel.post(proxy, uri, trust, body);
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("TLS to " + uri.getHost() + " failed (" + e.getMessage() + "); check --trust-fingerprint or --ca-file", e);
        }
        if (answer.status() != 200 && answer.status() != 201) {
            throw new IOException("registration refused by " + uri.getHost() + ": HTTP " + answer.status() + " "
                    + message(answer.body()));
        }
        return JSON.readTree(answer.body());
    }

    private static String message(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n.path("message").asText(json);
        } catch (IOException e) {
            return json.length() > 200 ? json.substring(0, 200) : json;
        }
    }
}
