package dev.writeback.relay.api;

import com.fasterxml.jackson.core.JsonParser;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.Secret;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The body of a password-reset, password-change or unlock request, parsed strictly. Until it becomes a
 * {@link PasswordRequest} it owns its secrets; {@link #close()} wipes them.
 */
final class OperationBody implements AutoCloseable {
    private final Operation operation;
    private Anchor anchor;
    private Secret newPassword;
    private Secret currentPassword;
    private boolean unlock = true;
    private boolean forceChangeAtNextLogon;
    private Duration timeout;

    private OperationBody(Operation operation) {
        this.operation = operation;
    }

    /** Parses the body of {@code operation}; {@code maxTimeout} bounds {@code timeoutSeconds} (larger is clamped). */
    static OperationBody parse(Operation operation, byte[] json, Duration maxTimeout) {
        var body = new OperationBody(operation);
        try {
            JsonBody.read(json, fields(operation), (field, p) -> body.read(field, p, maxTimeout));
            body.checkComplete();
            return body;
        } catch (RuntimeException e) {
            body.close();
            throw e;
        }
    }

    private static List<String> fields(Operation operation) {
        return switch (operation) {
            case RESET -> List.of("anchor", "newPassword", "unlock", "forceChangeAtNextLogon", "timeoutSeconds");
            case CHANGE -> List.of("anchor", "currentPassword", "newPassword", "timeoutSeconds");
            case UNLOCK -> List.of("anchor", "timeoutSeconds");
            case LOOKUP -> throw new IllegalArgumentException("operation: LOOKUP (expected: a password operation)");
        };
    }

    private void read(String field, JsonParser p, Duration maxTimeout) throws IOException {
        switch (field) {
            case "anchor" -> anchor = accountAnchor(anchor(JsonBody.string(p, field, Anchor.MAX_LENGTH + 8)));
            case "newPassword" -> newPassword = JsonBody.secret(p, field, PasswordRequest.MAX_PASSWORD_CHARS);
            case "currentPassword" -> currentPassword = JsonBody.secret(p, field, PasswordRequest.MAX_PASSWORD_CHARS);
            case "unlock" -> unlock = JsonBody.bool(p, field);
            case "forceChangeAtNextLogon" -> forceChangeAtNextLogon = JsonBody.bool(p, field);
            case "timeoutSeconds" -> timeout = clamp(Duration.ofSeconds(JsonBody.integer(p, field, 1, 3600)), maxTimeout);
            default -> throw new IllegalStateException("field: " + field + " (expected: one of " + fields(operation) + ")");
        }
    }

    private static Anchor anchor(String text) {
        try {
            return Anchor.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("anchor", e.getMessage());   // Anchor's messages name the rule, not the account
        }
    }

    private static Anchor accountAnchor(Anchor anchor) {
        if (anchor.type() == Anchor.Type.ID) {
            throw ApiException.invalid("anchor", "anchor type: id (expected: guid:, upn:, sam: (or uid:) or dn:; id: is for lookup)");
        }
        return anchor;
    }

    private static Duration clamp(Duration requested, Duration max) {
        return requested.compareTo(max) > 0 ? max : requested;
    }

    private void checkComplete() {
        if (anchor == null) {
            throw JsonBody.missing("anchor", "a string such as upn:ada@corp.example");
        }
        if (operation == Operation.CHANGE && currentPassword == null) {
            throw JsonBody.missing("currentPassword", "a string");
        }
        if (operation != Operation.UNLOCK && newPassword == null) {
            throw JsonBody.missing("newPassword", "a string");
        }
    }

    Operation operation() {
        return operation;
    }

    Anchor anchor() {
        return anchor;
    }

    /** The deadline the caller asked for, if any, already clamped to the maximum. */
    Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The request to seal; it takes over the secrets, so wipe it (not this body) when done. */
    PasswordRequest toRequest(Instant issuedAt, Instant expiresAt) {
        return switch (operation) {
            case RESET -> PasswordRequest.reset(anchor, newPassword, unlock, forceChangeAtNextLogon, issuedAt, expiresAt);
            case CHANGE -> PasswordRequest.change(anchor, currentPassword, newPassword, issuedAt, expiresAt);
            case UNLOCK -> PasswordRequest.unlock(anchor, issuedAt, expiresAt);
            case LOOKUP -> throw new IllegalStateException("operation: LOOKUP (expected: a password operation)");
        };
    }

    @Override
    public void close() {
        if (newPassword != null) {
            newPassword.close();
        }
        if (currentPassword != null) {
            currentPassword.close();
        }
    }
}
