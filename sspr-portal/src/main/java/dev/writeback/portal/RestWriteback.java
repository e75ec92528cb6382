package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Writeback} over the relay's REST API with an {@code operations} token per tenant, for a portal run on its
 * own: {@code GET /api/v1/writeback/status}, {@code POST /api/v1/writeback/lookup}, {@code .../password-reset},
 * {@code .../unlock}. The new password goes into the request body only, which is wiped once sent.
 */
public final class RestWriteback implements Writeback {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client;
    private final URI relay;
    private final Map<String, String> tokens;

    /**
     * @param client an HTTP client that trusts the relay's certificate
     * @param relay the relay's base URL, e.g. {@code https://relay.example:8443}
     * @param tokens the operations token of each tenant id
     */
    public RestWriteback(HttpClient client, URI relay, Map<String, String> tokens) {
        this.client = requireNonNull(client, "client");
        this.relay = requireNonNull(relay, "relay");
        this.tokens = Map.copyOf(tokens);
    }

    @Override
    public CompletableFuture<WritebackState> status(String tenantId) {
        return send(tenantId, "GET", "status", null).thenApply(json -> {
            try {
                return WritebackState.valueOf(json.path("state").asText("DOWN"));
            } catch (IllegalArgumentException e) {
                return WritebackState.DOWN;
            }
        });
    }

    @Override
    public CompletableFuture<Lookup> lookup(String tenantId, String userId) {
        ObjectNode body = MAPPER.createObjectNode().put("userId", userId);
        return send(tenantId, "POST", "lookup", bytes(body)).thenApply(RestWriteback::lookupOf);
    }

    @Override
    public CompletableFuture<WritebackResult> reset(String tenantId, Anchor anchor, Secret newPassword, boolean unlock) {
        byte[] body = resetBody(anchor, newPassword, unlock);
        return send(tenantId, "POST", "password-reset", body).thenApply(RestWriteback::resultOf);
    }

    @Override
    public CompletableFuture<WritebackResult> unlock(String tenantId, Anchor anchor) {
        ObjectNode body = MAPPER.createObjectNode().put("anchor", anchor.toString());
        return send(tenantId, "POST", "unlock", bytes(body)).thenApply(RestWriteback::resultOf);
    }

    /** The reset body written by hand around the password's bytes, so the password never becomes a String. */
    static byte[] resetBody(Anchor anchor, Secret password, boolean unlock) {
        var out = new ByteArrayOutputStream();
        byte[] pw = password.toUtf8();
        try {
            out.writeBytes(("{\"anchor\":" + quote(anchor.toString()) + ",\"unlock\":" + unlock + ",\"newPassword\":\"")
                    .getBytes(StandardCharsets.UTF_8));
            for (byte b : pw) {
                if (b == '"' || b == '\\') {
                    out.write('\\');
                    out.write(b);
                } else if (b >= 0 && b < 0x20) {
                    out.writeBytes(String.format("\\u%04x", b).getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(b);
                }
            }
            out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private CompletableFuture<JsonNode> send(String tenantId, String method, String operation, byte[] body) {
        String token = tokens.get(tenantId);
        if (token == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("tenant: " + tenantId
                    + " (expected: a tenant with an operations token)"));
        }
        var request = HttpRequest.newBuilder(relay.resolve("/api/v1/writeback/" + operation))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((r, e) -> {
                    if (body != null) {
                        Arrays.fill(body, (byte) 0);
                    }
                })
                .thenApply(r -> {
                    try {
                        return MAPPER.readTree(r.body());
                    } catch (IOException e) {
                        throw new UncheckedIOException("relay answer: not JSON (HTTP " + r.statusCode() + ")", e);
                    }
                });
    }

    static Lookup lookupOf(JsonNode json) {
        String requestId = json.path("requestId").asText("");
        ResultCode code = code(json);
        if (code != ResultCode.SUCCESS) {
            return Lookup.failed(requestId, code);
        }
        JsonNode a = json.path("account");
        List<String> mail = new ArrayList<>();
        a.path("mail").forEach(m -> mail.add(m.asText()));
        JsonNode p = a.path("policy");
        var policy = p.isMissingNode() || p.isNull() ? PasswordPolicy.DEFAULT : new PasswordPolicy(
                p.path("minLength").asInt(PasswordPolicy.DEFAULT.minLength()),
                p.path("complexity").asBoolean(PasswordPolicy.DEFAULT.complexity()),
                p.path("history").asInt(PasswordPolicy.DEFAULT.history()));
        return Lookup.found(requestId, new Account(Anchor.parse(a.path("anchor").asText()),
                a.path("displayName").asText(""), a.path("enabled").asBoolean(false), a.path("locked").asBoolean(false),
                a.path("mustChange").asBoolean(false), a.path("protected").asBoolean(true), mail, policy));
    }

    static WritebackResult resultOf(JsonNode json) {
        PolicyReason reason;
        try {
            reason = json.path("reason").isTextual() ? PolicyReason.valueOf(json.path("reason").asText()) : PolicyReason.NONE;
        } catch (IllegalArgumentException e) {
            reason = PolicyReason.OTHER;
        }
        return new WritebackResult(json.path("requestId").asText(""), code(json), reason);
    }

    private static ResultCode code(JsonNode json) {
        try {
            return ResultCode.valueOf(json.path("result").asText("INTERNAL_ERROR"));
        } catch (IllegalArgumentException e) {
            return ResultCode.INTERNAL_ERROR;
        }
    }

    private static byte[] bytes(ObjectNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
