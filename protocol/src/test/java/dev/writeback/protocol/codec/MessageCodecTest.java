package dev.writeback.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Message.Hello;
import dev.writeback.protocol.Message.Request;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.testing.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {
    /** The text of a rejection after its code: {@code name: value (expected: ...)}. */
    private static final String EXPECTED_FORM = "[A-Z_]+: [^:]+: .+ \\(expected: .+\\)";

    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec());

    @AfterEach
    void closeChannel() {
        channel.finishAndReleaseAll();
    }

    static Stream<Message> samples() {
        return SampleMessages.all().stream();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void message_roundTrips(Message sent) {
        assertThat(roundTrip(sent)).isEqualTo(sent).hasSameHashCodeAs(sent);
    }

    @Test
    void ready_withANodeId_roundTrips_andWithoutOne_readsAsBefore() {
        var clustered = new Message.Ready("s-1", "t-1", 1_700_000_000_000L, 30, 300, 2, 256, "relay-eu-1");
        var single = new Message.Ready("s-1", "t-1", 1_700_000_000_000L, 30, 300, 2, 256);

        assertThat(roundTrip(clustered)).isEqualTo(clustered);
        assertThat(roundTrip(single)).isEqualTo(single);
        assertThat(((Message.Ready) roundTrip(single)).nodeId()).isEmpty();
    }

    @Test
    void samples_coverEveryFrameType() {
        assertThat(SampleMessages.all()).extracting(Message::type).containsAll(List.of(FrameType.values()));
    }

    @Test
    void heartbeat_withMaxDirectoriesAndLongStrings_roundTrips() {
        var longName = "é".repeat(ProtocolVersion.MAX_STRING_BYTES / 2);   // 4096 UTF-8 bytes, 2048 chars
        var directories = java.util.Collections.nCopies(Message.Heartbeat.MAX_DIRECTORIES,
                new dev.writeback.protocol.DirectoryStatus(longName.substring(0, 100), "ldap", false, "", -1, false,
                        "unreachable"));
        var sent = new Message.Heartbeat(longName, Long.MAX_VALUE, Integer.MAX_VALUE, 0, -1, Long.MIN_VALUE, 0, directories);
        assertThat(roundTrip(sent)).isEqualTo(sent);
    }

    @Test
    void request_ofExactlyMaxFrameSize_roundTrips() {
        int sealed = ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES - 2;
        var sent = new Request(SampleMessages.REQUEST_ID, new byte[sealed]);
        channel.writeOutbound(sent);
        BinaryWebSocketFrame frame = channel.readOutbound();
        assertThat(frame.content().readableBytes()).isEqualTo(ProtocolVersion.MAX_FRAME_BYTES);
        channel.writeInbound(frame);
        assertThat((Message) channel.readInbound()).isEqualTo(sent);
    }

    @Test
    void encode_rejectsFrameOverLimit() {
        var tooBig = new Request(SampleMessages.REQUEST_ID,
                new byte[ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES - 1]);
        Throwable thrown = catchThrowable(() -> channel.writeOutbound(tooBig));
        assertThat(thrown).isInstanceOf(EncoderException.class).cause().isInstanceOf(ProtocolException.class);
        var e = (ProtocolException) thrown.getCause();
        assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(e.getMessage()).isEqualTo("FRAME_TOO_LARGE: frame length: 65537 (expected: <= 65536)");
    }

    @Test
    void decode_rejectsFrameOverLimit() {
        byte[] frame = encode(SampleMessages.accepted());
        byte[] big = Arrays.copyOf(frame, ProtocolVersion.MAX_FRAME_BYTES + 1);
        assertRejected(big, ErrorCode.FRAME_TOO_LARGE, "frame length: 65537 (expected: <= 65536)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 255})
    void decode_rejectsUnknownVersion(int version) {
        byte[] frame = encode(SampleMessages.hello());
        frame[0] = (byte) version;
        assertRejected(frame, ErrorCode.UNSUPPORTED_VERSION, "protocol version: " + version + " (expected: 1)");
    }

    @Test
    void decode_rejectsUnknownVersion_evenWhenShorterThanAHeader() {
        assertRejected(new byte[] {2}, ErrorCode.UNSUPPORTED_VERSION, "protocol version: 2 (expected: 1)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 255})
    void decode_rejectsUnknownType(int type) {
        byte[] frame = encode(SampleMessages.goaway());
        frame[1] = (byte) type;
        assertRejected(frame, ErrorCode.UNKNOWN_FRAME_TYPE, "frame type: " + type + " (expected: 1..14)");
    }

    @Test
    void decode_rejectsEmptyAndShortFrames() {
        assertRejected(new byte[0], ErrorCode.MALFORMED_FRAME, "protocol version: 0 bytes left (expected: >= 1)");
        assertRejected(new byte[] {1, 5, 0}, ErrorCode.MALFORMED_FRAME, "frame length: 3 (expected: >= 18)");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void decode_rejectsEveryTruncation(Message message) {
        byte[] frame = encode(message);
        // READY's last field (nodeId) is optional: cut just before it, the frame is a READY without one
        int optionalFrom = message instanceof Message.Ready r && !r.nodeId().isEmpty()
                ? frame.length - 2 - r.nodeId().getBytes(StandardCharsets.UTF_8).length : -1;
        for (int length = 0; length < frame.length; length++) {
            if (length == optionalFrom) {
                assertThat(((Message.Ready) decodeOne(Arrays.copyOf(frame, length))).nodeId()).isEmpty();
                continue;
            }
            var e = rejection(Arrays.copyOf(frame, length));
            assertThat(e.code()).as("%s cut to %d bytes", message.type(), length).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(e.getMessage()).matches(EXPECTED_FORM);
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void decode_rejectsTrailingBytes(Message message) {
        byte[] frame = encode(message);
        assertRejected(Arrays.copyOf(frame, frame.length + 3), ErrorCode.MALFORMED_FRAME,
                message.type() + " frame: 3 trailing bytes (expected: 0)");
    }

    @Test
    void decode_rejectsStringOverLimit() {
        ByteBuf b = header(FrameType.HELLO, RequestId.ZERO).writeBytes(SampleMessages.nonce()).writeLong(0);
        b.writeShort(ProtocolVersion.MAX_STRING_BYTES + 1).writeZero(ProtocolVersion.MAX_STRING_BYTES + 1);
        assertRejected(bytes(b), ErrorCode.MALFORMED_FRAME, "relayName length: 4097 (expected: <= 4096)");
    }

    @Test
    void decode_rejectsLengthPointingPastTheEnd() {
        ByteBuf b = header(FrameType.GOAWAY, RequestId.ZERO).writeShort(100).writeBytes("short".getBytes(StandardCharsets.UTF_8));
        assertRejected(bytes(b), ErrorCode.MALFORMED_FRAME, "reason: 5 bytes left (expected: >= 100)");
    }

    @Test
    void decode_rejectsInvalidUtf8() {
        ByteBuf b = header(FrameType.GOAWAY, RequestId.ZERO).writeShort(2).writeByte(0xc3).writeByte(0x28).writeInt(0);
        assertRejected(bytes(b), ErrorCode.MALFORMED_FRAME, "reason: invalid UTF-8 (expected: UTF-8 text)");
    }

    @Test
    void decode_rejectsZeroRequestIdOnRequest() {
        byte[] frame = encode(SampleMessages.request());
        Arrays.fill(frame, 2, 18, (byte) 0);
        assertRejected(frame, ErrorCode.MALFORMED_FRAME, "REQUEST request id: zero (expected: non-zero)");
    }

    @Test
    void decode_rejectsZeroRequestIdOnAcceptedAndResult() {
        for (Message m : List.of(SampleMessages.accepted(), SampleMessages.result())) {
            byte[] frame = encode(m);
            Arrays.fill(frame, 2, 18, (byte) 0);
            assertRejected(frame, ErrorCode.MALFORMED_FRAME, m.type() + " request id: zero (expected: non-zero)");
        }
    }

    @Test
    void decode_rejectsNonZeroRequestIdOnHello() {
        byte[] frame = encode(SampleMessages.hello());
        System.arraycopy(SampleMessages.REQUEST_ID.toBytes(), 0, frame, 2, 16);
        assertRejected(frame, ErrorCode.MALFORMED_FRAME,
                "HELLO request id: " + SampleMessages.REQUEST_ID + " (expected: zero)");
    }

    @Test
    void decode_acceptsErrorWithEitherRequestId() {
        assertThat(roundTrip(SampleMessages.requestError()).requestId()).isEqualTo(SampleMessages.REQUEST_ID);
        assertThat(roundTrip(SampleMessages.linkError()).requestId()).isEqualTo(RequestId.ZERO);
    }

    @Test
    void decode_readsUnknownErrorCodeAsInternal() {
        byte[] frame = encode(SampleMessages.linkError());
        frame[18] = 0x7f;
        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame)));
        assertThat(((Message.ErrorMessage) channel.readInbound()).code()).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void decode_rejectsBooleanOtherThanZeroOrOne() {
        byte[] frame = encode(SampleMessages.heartbeat());
        int reachable = indexOf(frame, "active-directory".getBytes(StandardCharsets.UTF_8)) + "active-directory".length();
        frame[reachable] = 2;
        assertRejected(frame, ErrorCode.MALFORMED_FRAME, "reachable: 2 (expected: 0 or 1)");
    }

    @Test
    void decode_rejectsU32WithHighBitSet() {
        byte[] frame = encode(SampleMessages.rotateKeys());
        frame[18] = (byte) 0x80;
        assertRejected(frame, ErrorCode.MALFORMED_FRAME, "keyVersion: 2147483650 (expected: <= 2147483647)");
    }

    @Test
    void decode_rejectsTooManyDirectories() {
        byte[] frame = encode(new Message.Heartbeat("0.1.0", 0, 1, 0, 0, 0, 0, List.of()));
        frame[frame.length - 1] = 33;
        assertRejected(frame, ErrorCode.MALFORMED_FRAME, "directory count: 33 (expected: <= 32)");
    }

    @Test
    void decode_rejectsOutOfRangeValuesThroughTheRecords() {
        byte[] frame = encode(SampleMessages.rotateKeys());
        Arrays.fill(frame, 18, 22, (byte) 0);
        assertRejected(frame, ErrorCode.MALFORMED_FRAME, "keyVersion: 0 (expected: > 0)");
    }

    @Test
    void decode_releasesTheFrame_whenItSucceedsAndWhenItFails() {
        var good = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(encode(SampleMessages.hello())));
        var bad = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 99}));
        channel.writeInbound(good);
        catchThrowable(() -> channel.writeInbound(bad));
        assertThat(good.refCnt()).isZero();
        assertThat(bad.refCnt()).isZero();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void toString_neverPrintsByteFields(Message message) {
        String text = message.toString();
        assertThat(text).doesNotContain("[B@");
        for (RecordComponent c : message.getClass().getRecordComponents()) {
            if (c.getType() == byte[].class) {
                byte[] value = (byte[]) invoke(c, message);
                if (value.length >= 4) {
                    assertThat(text).doesNotContainIgnoringCase(HexFormat.of().formatHex(value))
                            .doesNotContain(Arrays.toString(value))
                            .doesNotContain(Base64.getEncoder().encodeToString(value));
                }
            }
        }
    }

    @Test
    void toString_ofMessagesWithRealKeysAndSignatures_printsLengthsOnly() {
        byte[] secretBytes = "p4ssw0rd-material-that-must-not-print".getBytes(StandardCharsets.UTF_8);
        String[] texts = {
            new Request(SampleMessages.REQUEST_ID, secretBytes).toString(),
            new Message.Result(SampleMessages.REQUEST_ID, secretBytes).toString(),
            new Message.Keys(3, secretBytes, secretBytes).toString(),
            new Message.Auth("a", 0, "h", "v", secretBytes).toString(),
            new Hello(Arrays.copyOf(secretBytes, Hello.NONCE_BYTES), 0, "r").toString(),
        };
        for (String text : texts) {
            assertThat(text).doesNotContain("p4ssw0rd").doesNotContain(HexFormat.of().formatHex(secretBytes, 0, 8));
        }
        assertThat(texts[0])
                .isEqualTo("Request[requestId=" + SampleMessages.REQUEST_ID + ", sealed=" + secretBytes.length + " bytes]");
    }

    @Test
    void toString_ofPasswordRequestAndSecretAndKey_neverPrintsThePassword() {
        var now = Instant.parse("2025-01-01T00:00:00Z");
        var request = PasswordRequest.change(Anchor.parse("upn:ada@corp.example"), Secret.of("Old-Pa55word!"),
                Secret.of("N3w-Pa55word!"), now, now.plusSeconds(15));
        assertThat(request.toString()).doesNotContain("Pa55word").contains("****").contains("upn:ada@corp.example");
        assertThat(Secret.of("N3w-Pa55word!").toString()).isEqualTo("****");
        byte[] key = new byte[PackageKey.BYTES];
        Arrays.fill(key, (byte) 0x5a);
        assertThat(PackageKey.of(1, key).toString()).isEqualTo("PackageKey[version=1]");
    }

    private Message roundTrip(Message message) {
        channel.writeOutbound(message);
        BinaryWebSocketFrame frame = channel.readOutbound();
        assertThat(channel.<Object>readOutbound()).isNull();
        channel.writeInbound(frame);
        Message decoded = channel.readInbound();
        assertThat(channel.<Object>readInbound()).isNull();
        return decoded;
    }

    private byte[] encode(Message message) {
        channel.writeOutbound(message);
        BinaryWebSocketFrame frame = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(frame.content());
        } finally {
            frame.release();
        }
    }

    private Message decodeOne(byte[] frame) {
        channel.writeInbound(new BinaryWebSocketFrame(channel.alloc().buffer(frame.length).writeBytes(frame)));
        Message decoded = channel.readInbound();
        assertThat(decoded).isNotNull();
        return decoded;
    }

    private void assertRejected(byte[] frame, ErrorCode code, String message) {
        var e = rejection(frame);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(code + ": " + message).matches(EXPECTED_FORM);
    }

    private ProtocolException rejection(byte[] frame) {
        ByteBuf content = channel.alloc().buffer(frame.length).writeBytes(frame);
        Throwable thrown = catchThrowable(() -> channel.writeInbound(new BinaryWebSocketFrame(content)));
        assertThat(thrown).isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class);
        assertThat(content.refCnt()).isZero();
        return (ProtocolException) thrown.getCause();
    }

    private static ByteBuf header(FrameType type, RequestId id) {
        return Unpooled.buffer().writeByte(ProtocolVersion.CURRENT).writeByte(type.wireValue()).writeBytes(id.toBytes());
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static Object invoke(RecordComponent c, Object target) {
        try {
            return c.getAccessor().invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
