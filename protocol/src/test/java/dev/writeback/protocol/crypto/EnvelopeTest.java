package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.crypto.TestKeys.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeTest {
    private static final RequestId ID = RequestId.parse("3b241101-e2bb-4255-8caf-4136c566a962");
    private static final EnvelopeContext CONTEXT = new EnvelopeContext(FrameType.REQUEST, ID, "tenant-1", "agent-1");
    private static final byte[] PLAINTEXT = "operation, anchor and sealed passwords".getBytes(StandardCharsets.UTF_8);

    private final PackageKey key = PackageKey.generate(7, RANDOM);

    @AfterEach
    void wipeKey() {
        key.close();
    }

    @Test
    void seal_open_roundTrips() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        assertThat(Envelope.open(key, CONTEXT, sealed)).isEqualTo(PLAINTEXT);
    }

    @Test
    void seal_writesKeyVersionNonceCiphertextAndTag() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        assertThat(sealed).hasSize(PLAINTEXT.length + Envelope.OVERHEAD);
        assertThat(ByteBuffer.wrap(sealed).getInt()).isEqualTo(7);
        assertThat(Envelope.keyVersion(sealed)).isEqualTo(7);
    }

    @Test
    void seal_usesAFreshNonceEachTime() {
        byte[] a = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        byte[] b = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        assertThat(ByteBuffer.wrap(a, 4, Envelope.NONCE_BYTES)).isNotEqualTo(ByteBuffer.wrap(b, 4, Envelope.NONCE_BYTES));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void seal_open_emptyPlaintext_roundTrips() {
        byte[] sealed = Envelope.seal(key, CONTEXT, new byte[0], RANDOM);
        assertThat(sealed).hasSize(Envelope.OVERHEAD);
        assertThat(Envelope.open(key, CONTEXT, sealed)).isEmpty();
    }

    @Test
    void open_anyChangedByteAfterTheKeyVersion_failsWithBadTag() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        for (int i = 4; i < sealed.length; i++) {   // nonce, ciphertext and tag
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertThatThrownBy(() -> Envelope.open(key, CONTEXT, tampered)).as("byte %d changed", i)
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_TAG));
        }
    }

    @Test
    void open_truncatedTag_failsWithBadTag() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        byte[] cut = java.util.Arrays.copyOf(sealed, sealed.length - 1);
        assertBadTag(() -> Envelope.open(key, CONTEXT, cut));
    }

    static Stream<EnvelopeContext> otherContexts() {
        return Stream.of(
                new EnvelopeContext(FrameType.RESULT, ID, "tenant-1", "agent-1"),
                new EnvelopeContext(FrameType.REQUEST, RequestId.random(), "tenant-1", "agent-1"),
                new EnvelopeContext(FrameType.REQUEST, ID, "tenant-2", "agent-1"),
                new EnvelopeContext(FrameType.REQUEST, ID, "tenant-1", "agent-2"),
                new EnvelopeContext(FrameType.REQUEST, ID, "tenant-1a", "gent-1"));   // same bytes, other split
    }

    @ParameterizedTest
    @MethodSource("otherContexts")
    void open_inAnotherContext_failsWithBadTag(EnvelopeContext other) {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        assertBadTag(() -> Envelope.open(key, other, sealed));
    }

    @Test
    void open_withAnotherKeyOfTheSameVersion_failsWithBadTag() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        try (var other = PackageKey.generate(7, RANDOM)) {
            assertBadTag(() -> Envelope.open(other, CONTEXT, sealed));
        }
    }

    @Test
    void open_withAnotherKeyVersion_failsWithUnknownKeyVersion() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        try (var v8 = PackageKey.of(8, key.bytes())) {
            assertThatThrownBy(() -> Envelope.open(v8, CONTEXT, sealed))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_KEY_VERSION))
                    .hasMessage("UNKNOWN_KEY_VERSION: key version: 7 (expected: 8)");
        }
    }

    @Test
    void open_keyVersionRewrittenToMatchAnotherKey_failsWithBadTag() {
        byte[] sealed = Envelope.seal(key, CONTEXT, PLAINTEXT, RANDOM);
        ByteBuffer.wrap(sealed).putInt(8);   // the version is in the AAD too
        try (var v8 = PackageKey.of(8, key.bytes())) {
            assertBadTag(() -> Envelope.open(v8, CONTEXT, sealed));
        }
    }

    @Test
    void open_shorterThanTheOverhead_failsWithMalformedFrame() {
        assertThatThrownBy(() -> Envelope.open(key, CONTEXT, new byte[Envelope.OVERHEAD - 1]))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
                .hasMessage("MALFORMED_FRAME: sealed body length: 31 (expected: >= 32)");
    }

    @Test
    void packageKey_rejectsWrongLengthAndVersion_andWipesOnClose() {
        assertThatThrownBy(() -> PackageKey.of(1, new byte[16])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("package key length: 16 (expected: 32)");
        assertThatThrownBy(() -> PackageKey.of(0, new byte[32])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key version: 0 (expected: > 0)");
        var k = PackageKey.generate(1, RANDOM);
        k.close();
        assertThat(k.bytes()).containsOnly(0);
    }

    private static void assertBadTag(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_TAG));
    }
}
