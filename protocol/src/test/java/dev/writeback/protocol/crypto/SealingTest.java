package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.crypto.TestKeys.OTHER_RSA;
import static dev.writeback.protocol.crypto.TestKeys.RANDOM;
import static dev.writeback.protocol.crypto.TestKeys.RSA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SealingTest {
    private static final Instant ISSUED = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant EXPIRES = ISSUED.plusSeconds(15);
    private static final Anchor ADA = Anchor.parse("upn:ada@corp.example");
    private static final RequestId ID = RequestId.random();
    private static final EnvelopeContext REQUEST = new EnvelopeContext(FrameType.REQUEST, ID, "tenant-1", "agent-1");
    private static final EnvelopeContext RESULT = new EnvelopeContext(FrameType.RESULT, ID, "tenant-1", "agent-1");

    private final PackageKey key = PackageKey.generate(3, RANDOM);
    private final KeyRing ring = TestKeys.ring(key, RSA.getPrivate());

    @AfterEach
    void wipeKey() {
        key.close();
    }

    static Stream<Arguments> passwords() {
        return Stream.of(
                Arguments.of("short ASCII", "S3cret!pw", 1),
                Arguments.of("empty", "", 1),
                Arguments.of("190 bytes, one full block", "x".repeat(190), 1),
                Arguments.of("191 bytes, two blocks", "x".repeat(191), 2),
                Arguments.of("256 ASCII characters", "aB3$".repeat(64), 2),
                Arguments.of("256 two-byte characters", "é".repeat(256), 3),
                Arguments.of("256 three-byte characters", "密".repeat(256), 5),
                Arguments.of("128 emoji, 256 UTF-16 units", "😀".repeat(128), 3),
                Arguments.of("mixed widths across block edges", ("a密é😀").repeat(51), 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwords")
    void reset_roundTrips(String description, String password, int blocks) {
        var sent = PasswordRequest.reset(ADA, Secret.of(password), true, true, ISSUED, EXPIRES);
        PasswordRequest opened = Sealing.openRequest(seal(sent), REQUEST, ring);
        assertSameRequest(opened, sent);
        assertThat(opened.newPassword().orElseThrow().sameAs(Secret.of(password))).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passwords")
    void sealRequest_splitsEachPasswordIntoRsaBlocksOf190Bytes(String description, String password, int blocks) {
        var sent = PasswordRequest.reset(ADA, Secret.of(password), false, false, ISSUED, EXPIRES);
        ByteBuf plain = Unpooled.wrappedBuffer(Envelope.open(key, REQUEST, seal(sent)));
        try {
            assertThat((int) plain.readUnsignedByte()).isEqualTo(Operation.RESET.wireValue());
            plain.skipBytes(plain.readUnsignedShort());                          // anchor
            assertThat((int) plain.readUnsignedByte()).isZero();                        // flags
            assertThat(plain.readLong()).isEqualTo(ISSUED.toEpochMilli());
            assertThat(plain.readLong()).isEqualTo(EXPIRES.toEpochMilli());
            assertThat((int) plain.readUnsignedByte()).isEqualTo(1);                   // secret count
            assertThat((int) plain.readUnsignedByte()).isEqualTo(1);                   // field: new password
            assertThat((int) plain.readUnsignedByte()).isEqualTo(blocks);
            var joined = new ByteArrayOutputStream();
            for (int i = 0; i < blocks; i++) {
                byte[] block = ByteBufUtil.getBytes(plain.readSlice(plain.readUnsignedShort()));
                assertThat(block).hasSize(256);                                  // one RSA-2048 ciphertext
                byte[] chunk = RsaOaep.decrypt(RSA.getPrivate(), block);
                assertThat(chunk.length).isLessThanOrEqualTo(RsaOaep.MAX_BLOCK_PLAINTEXT);
                joined.writeBytes(chunk);
            }
            assertThat(plain.isReadable()).isFalse();
            assertThat(joined.toByteArray()).isEqualTo(password.getBytes(StandardCharsets.UTF_8));
        } finally {
            plain.release();
        }
    }

    @Test
    void change_roundTrips() {
        var sent = PasswordRequest.change(ADA, Secret.of("Old-pw-1"), Secret.of("密码-New-2"), ISSUED, EXPIRES);
        PasswordRequest opened = Sealing.openRequest(seal(sent), REQUEST, ring);
        assertSameRequest(opened, sent);
        assertThat(opened.currentPassword().orElseThrow().sameAs(Secret.of("Old-pw-1"))).isTrue();
        assertThat(opened.newPassword().orElseThrow().sameAs(Secret.of("密码-New-2"))).isTrue();
    }

    @Test
    void change_withTwoMaximalPasswords_roundTrips() {
        var sent = PasswordRequest.change(ADA, Secret.of("密".repeat(256)), Secret.of("码".repeat(256)), ISSUED, EXPIRES);
        PasswordRequest opened = Sealing.openRequest(seal(sent), REQUEST, ring);
        assertThat(opened.newPassword().orElseThrow().sameAs(Secret.of("码".repeat(256)))).isTrue();
    }

    @Test
    void unlock_roundTrips() {
        var sent = PasswordRequest.unlock(Anchor.parse("guid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), ISSUED, EXPIRES);
        PasswordRequest opened = Sealing.openRequest(seal(sent), REQUEST, ring);
        assertSameRequest(opened, sent);
        assertThat(opened.newPassword()).isEmpty();
    }

    @Test
    void sealRequest_rejectsPasswordOver256Characters() {
        var sent = PasswordRequest.reset(ADA, Secret.of("x".repeat(257)), false, false, ISSUED, EXPIRES);
        assertThatThrownBy(() -> seal(sent)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("password length: 257 characters (expected: <= 256)");
    }

    @Test
    void openRequest_anyChangedByte_failsWithBadTag() {
        byte[] sealed = seal(PasswordRequest.reset(ADA, Secret.of("pw"), false, false, ISSUED, EXPIRES));
        for (int i = 4; i < sealed.length; i += 7) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= (byte) 0x80;
            assertCode(() -> Sealing.openRequest(tampered, REQUEST, ring), ErrorCode.BAD_TAG);
        }
    }

    static Stream<EnvelopeContext> otherContexts() {
        return Stream.of(RESULT, new EnvelopeContext(FrameType.REQUEST, RequestId.random(), "tenant-1", "agent-1"),
                new EnvelopeContext(FrameType.REQUEST, ID, "tenant-2", "agent-1"),
                new EnvelopeContext(FrameType.REQUEST, ID, "tenant-1", "agent-2"));
    }

    @ParameterizedTest
    @MethodSource("otherContexts")
    void openRequest_inAnotherContext_failsWithBadTag(EnvelopeContext other) {
        byte[] sealed = seal(PasswordRequest.reset(ADA, Secret.of("pw"), false, false, ISSUED, EXPIRES));
        assertCode(() -> Sealing.openRequest(sealed, other, ring), ErrorCode.BAD_TAG);
    }

    @Test
    void openRequest_withUnknownKeyVersion_failsWithUnknownKeyVersion() {
        byte[] sealed = seal(PasswordRequest.reset(ADA, Secret.of("pw"), false, false, ISSUED, EXPIRES));
        try (var v4 = PackageKey.generate(4, RANDOM)) {
            assertThatThrownBy(() -> Sealing.openRequest(sealed, REQUEST, TestKeys.ring(v4, RSA.getPrivate())))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_KEY_VERSION))
                    .hasMessage("UNKNOWN_KEY_VERSION: key version: 3 (expected: a version this agent holds)");
        }
    }

    @Test
    void openRequest_withPackageKeyButNoRsaKeyOfThatVersion_failsWithUnknownKeyVersion() {
        byte[] sealed = seal(PasswordRequest.reset(ADA, Secret.of("pw"), false, false, ISSUED, EXPIRES));
        var halfRing = new TestKeys.MapKeyRing(Map.of(3, key), Map.of());
        assertCode(() -> Sealing.openRequest(sealed, REQUEST, halfRing), ErrorCode.UNKNOWN_KEY_VERSION);
    }

    @Test
    void openRequest_withAnotherAgentsRsaKey_failsWithBadTag() {
        byte[] sealed = seal(PasswordRequest.reset(ADA, Secret.of("pw"), false, false, ISSUED, EXPIRES));
        assertCode(() -> Sealing.openRequest(sealed, REQUEST, TestKeys.ring(key, OTHER_RSA.getPrivate())), ErrorCode.BAD_TAG);
    }

    static Stream<Arguments> malformedPlaintexts() {
        return Stream.of(
                Arguments.of("unknown operation", (Consumer<Plain>) p -> p.op = 9, "operation: 9 (expected: 1, 2, 3 or 4)"),
                Arguments.of("unknown flag bit", (Consumer<Plain>) p -> p.flags = 4, "flags: 4 (expected: bits 0-1 only)"),
                Arguments.of("unknown secret field", (Consumer<Plain>) p -> p.fields = new int[] {3},
                        "secret field: 3 (expected: 1 or 2, once each)"),
                Arguments.of("new password twice", (Consumer<Plain>) p -> p.fields = new int[] {1, 1},
                        "secret field: 1 (expected: 1 or 2, once each)"),
                Arguments.of("zero blocks", (Consumer<Plain>) p -> p.blocks = 0, "secret blocks: 0 (expected: 1..5)"),
                Arguments.of("six blocks", (Consumer<Plain>) p -> p.blocks = 6, "secret blocks: 6 (expected: 1..5)"),
                Arguments.of("trailing byte", (Consumer<Plain>) p -> p.trailing = 1,
                        "sealed request: 1 trailing bytes (expected: 0)"),
                Arguments.of("anchor without type", (Consumer<Plain>) p -> p.anchor = "ada@corp.example",
                        "sealed request: anchor: missing type prefix (expected: guid:, upn:, sam: (or uid:), dn: or id:)"),
                Arguments.of("reset of a typed id", (Consumer<Plain>) p -> p.anchor = "id:ada@corp.example",
                        "sealed request: anchor type: ID for RESET (expected: id: exactly for LOOKUP)"),
                Arguments.of("expiry before issue", (Consumer<Plain>) p -> p.expiresAt = p.issuedAt - 1,
                        "sealed request: expiresAt: 2024-12-31T23:59:59.999Z (expected: after issuedAt 2025-01-01T00:00:00Z)"),
                Arguments.of("unlock with a password", (Consumer<Plain>) p -> p.op = Operation.UNLOCK.wireValue(),
                        "sealed request: newPassword: present (expected: absent for UNLOCK)"),
                Arguments.of("password over 256 characters", (Consumer<Plain>) p -> {
                    p.password = "x".repeat(257);
                    p.blocks = 2;
                },
                        "password length: 257 characters (expected: <= 256)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPlaintexts")
    void openRequest_malformedPlaintext_failsWithMalformedFrame(String description, Consumer<Plain> change, String message) {
        var plain = new Plain();
        change.accept(plain);
        byte[] sealed = Envelope.seal(key, REQUEST, plain.bytes(), RANDOM);
        assertThatThrownBy(() -> Sealing.openRequest(sealed, REQUEST, ring))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
                .hasMessage("MALFORMED_FRAME: " + message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(plain.password));
    }

    @Test
    void result_roundTrips() {
        var sent = new Outcome(ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY, "Choose a password you have not used before.",
                "0000052D: Constraint violation - check_password_restrictions: password is already in password history",
                "corp", "dc1.corp.example:636", 48);
        byte[] sealed = Sealing.sealResult(sent, key, RESULT, RANDOM);
        assertThat(Sealing.openResult(sealed, RESULT, key)).isEqualTo(sent);
    }

    @Test
    void openResult_inRequestContextOrTampered_failsWithBadTag() {
        byte[] sealed = Sealing.sealResult(Outcome.of(ResultCode.SUCCESS, "Done.", ""), key, RESULT, RANDOM);
        assertCode(() -> Sealing.openResult(sealed, REQUEST, key), ErrorCode.BAD_TAG);
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertCode(() -> Sealing.openResult(tampered, RESULT, key), ErrorCode.BAD_TAG);
    }

    @Test
    void packageKey_wrapsAndUnwrapsWithTheAgentsRsaKey() {
        byte[] wrapped = RsaOaep.wrap(key, RSA.getPublic(), RANDOM);
        assertThat(wrapped).hasSize(256);
        try (var unwrapped = RsaOaep.unwrap(3, wrapped, RSA.getPrivate())) {
            assertThat(unwrapped.bytes()).isEqualTo(key.bytes());
            assertThat(unwrapped.version()).isEqualTo(3);
        }
        assertCode(() -> RsaOaep.unwrap(3, wrapped, OTHER_RSA.getPrivate()), ErrorCode.BAD_TAG);
        byte[] shortKey = RsaOaep.encrypt(RSA.getPublic(), new byte[16], RANDOM);
        assertCode(() -> RsaOaep.unwrap(3, shortKey, RSA.getPrivate()), ErrorCode.BAD_TAG);
    }

    private byte[] seal(PasswordRequest request) {
        return Sealing.sealRequest(request, key, RSA.getPublic(), REQUEST, RANDOM);
    }

    private static void assertSameRequest(PasswordRequest opened, PasswordRequest sent) {
        assertThat(opened).usingRecursiveComparison().ignoringFields("newPassword", "currentPassword").isEqualTo(sent);
        assertThat(opened.newPassword().isPresent()).isEqualTo(sent.newPassword().isPresent());
        assertThat(opened.currentPassword().isPresent()).isEqualTo(sent.currentPassword().isPresent());
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    /** A request plaintext built field by field, so a test can break one field (docs/protocol.md, "Request plaintext"). */
    static final class Plain {
        int op = Operation.RESET.wireValue();
        String anchor = "upn:ada@corp.example";
        int flags = 1;
        long issuedAt = ISSUED.toEpochMilli();
        long expiresAt = EXPIRES.toEpochMilli();
        int[] fields = {1};
        int blocks = 1;
        String password = "Pa55-word-in-the-plaintext";
        int trailing;

        byte[] bytes() {
            ByteBuf b = Unpooled.buffer();
            try {
                b.writeByte(op);
                byte[] a = anchor.getBytes(StandardCharsets.UTF_8);
                b.writeShort(a.length).writeBytes(a);
                b.writeByte(flags).writeLong(issuedAt).writeLong(expiresAt).writeByte(fields.length);
                for (int field : fields) {
                    b.writeByte(field).writeByte(blocks);
                    byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < blocks; i++) {
                        int from = Math.min(utf8.length, i * RsaOaep.MAX_BLOCK_PLAINTEXT);
                        int to = i == blocks - 1 ? utf8.length : Math.min(utf8.length, from + RsaOaep.MAX_BLOCK_PLAINTEXT);
                        byte[] block = RsaOaep.encrypt(RSA.getPublic(), java.util.Arrays.copyOfRange(utf8, from, to), RANDOM);
                        b.writeShort(block.length).writeBytes(block);
                    }
                }
                b.writeZero(trailing);
                return ByteBufUtil.getBytes(b);
            } finally {
                b.release();
            }
        }
    }
}
