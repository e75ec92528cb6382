package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.crypto.TestKeys.IDENTITY;
import static dev.writeback.protocol.crypto.TestKeys.OTHER_IDENTITY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Message.Auth;
import dev.writeback.protocol.testing.SampleMessages;
import org.junit.jupiter.api.Test;

class SignaturesTest {
    private static final byte[] NONCE = SampleMessages.nonce();
    private static final long TIME = SampleMessages.SERVER_TIME_MILLIS;

    private final byte[] payload = Auth.signedPayload(NONCE, "agent-1", "relay.example.com", TIME);

    @Test
    void sign_verify_acceptsTheSignedPayload() {
        byte[] signature = Signatures.sign(IDENTITY.getPrivate(), payload);
        assertThat(Signatures.verify(IDENTITY.getPublic(), payload, signature)).isTrue();
    }

    @Test
    void sign_producesDerThatFitsTheAuthFrame() {
        byte[] signature = Signatures.sign(IDENTITY.getPrivate(), payload);
        assertThat(signature.length).isBetween(8, 72);
        assertThat(signature[0]).isEqualTo((byte) 0x30);   // DER SEQUENCE
        new Auth("agent-1", TIME, "relay.example.com", "0.1.0", signature);   // accepted by the frame's bound
    }

    @Test
    void verify_rejectsAnyChangeOfNonceAgentHostOrTime() {
        byte[] signature = Signatures.sign(IDENTITY.getPrivate(), payload);
        byte[] otherNonce = NONCE.clone();
        otherNonce[31] ^= 1;
        assertThat(Signatures.verify(IDENTITY.getPublic(), Auth.signedPayload(otherNonce, "agent-1", "relay.example.com", TIME),
                signature)).isFalse();
        assertThat(Signatures.verify(IDENTITY.getPublic(), Auth.signedPayload(NONCE, "agent-2", "relay.example.com", TIME),
                signature)).isFalse();
        assertThat(Signatures.verify(IDENTITY.getPublic(), Auth.signedPayload(NONCE, "agent-1", "evil.example.com", TIME),
                signature)).isFalse();
        assertThat(Signatures.verify(IDENTITY.getPublic(), Auth.signedPayload(NONCE, "agent-1", "relay.example.com", TIME + 1),
                signature)).isFalse();
    }

    @Test
    void signedPayload_lengthPrefixesEveryField_soFieldsCannotShiftIntoEachOther() {
        assertThat(Auth.signedPayload(NONCE, "agent-1", "relay", TIME))
                .isNotEqualTo(Auth.signedPayload(NONCE, "agent-1r", "elay", TIME));
    }

    @Test
    void verify_rejectsAnotherAgentsKey() {
        byte[] signature = Signatures.sign(IDENTITY.getPrivate(), payload);
        assertThat(Signatures.verify(OTHER_IDENTITY.getPublic(), payload, signature)).isFalse();
    }

    @Test
    void verify_malformedSignature_isFalseNotAnException() {
        assertThat(Signatures.verify(IDENTITY.getPublic(), payload, new byte[0])).isFalse();
        assertThat(Signatures.verify(IDENTITY.getPublic(), payload, new byte[] {0x30, 0x06, 2, 1, 1, 2, 1, 2})).isFalse();
        assertThat(Signatures.verify(IDENTITY.getPublic(), payload, new byte[256])).isFalse();
        byte[] signature = Signatures.sign(IDENTITY.getPrivate(), payload);
        signature[signature.length - 1] ^= 1;
        assertThat(Signatures.verify(IDENTITY.getPublic(), payload, signature)).isFalse();
    }
}
