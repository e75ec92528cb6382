package dev.writeback.portal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where one user is in the flow, kept server-side in the store under the hash of the session cookie. Holds no code
 * and no password: only the code's keyed hash, and the anchor of the account (null when the user id named none).
 */
final class FlowState {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The steps; the page shown is the one of the current step. */
    enum Step {
        START, CODE_SENT, VERIFIED, DONE, LOCKED, UNAVAILABLE
    }

    String tenantId;
    long createdAt;
    long expiresAt;
    String locale;
    String csrf;
    String challenge;
    Step step = Step.START;
    String supportCode;
    String userId = "";          // as typed: shown back on the verify page, audited
    String userKey;              // keyed hash of the normalized user id, the limits' key
    String anchor;               // null when the user id named no eligible account
    String displayName = "";
    String mailTo;
    int policyMinLength;
    boolean policyComplexity;
    int policyHistory;
    String codeHash;             // HMAC of the code; null once used
    long codeExpiresAt;
    String choice;               // "reset" or "unlock" once chosen
    String resultCode;
    String resultOperation;
    String lockedWhat;           // "user" or "address"
    String unavailable;          // "writeback"
    String errorField;           // one error to show on the next page view, then cleared
    String errorKey;
    Object[] errorArgs = new Object[0];

    byte[] toBytes() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FlowState fromBytes(byte[] bytes) {
        try {
            return MAPPER.readValue(bytes, FlowState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("session state: unreadable (expected: JSON written by this portal)", e);
        }
    }

    PasswordPolicy policy() {
        return new PasswordPolicy(policyMinLength, policyComplexity, policyHistory);
    }

    void policy(PasswordPolicy p) {
        policyMinLength = p.minLength();
        policyComplexity = p.complexity();
        policyHistory = p.history();
    }

    void error(String field, String key, Object... args) {
        errorField = field;
        errorKey = key;
        errorArgs = args;
    }

    @Override
    public String toString() {
        return "FlowState[" + step + ", support=" + supportCode + "]";
    }
}
