package dev.writeback.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.testing.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random and mutated frames: decoding either yields a message that re-encodes to the same bytes, or fails with a
 * {@link ProtocolException}. Never another exception, never an unbounded allocation, never a leaked buffer
 * (surefire runs with paranoid leak detection). A failure names its seed and iteration, so it replays.
 */
class MessageCodecFuzzTest {
    private static final int ITERATIONS = 3_000;
    /** Far above what a 64 KiB frame needs, far below what a trusted length field could make us allocate. */
    private static final long MAX_ALLOCATION_PER_DECODE = 4L * 1024 * 1024;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
    private final ByteBufAllocator unpooled = UnpooledByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 20_250_101L, 0x5eed_f00dL})
    void decode_mutatedFrames_returnsMessageOrThrowsProtocolException(long seed) {
        var random = new Random(seed);
        List<byte[]> corpus = corpus(random);
        int decoded = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] original = corpus.get(random.nextInt(corpus.size()));
            byte[] frame = mutate(original, random);
            if (check(frame, seed, i)) {
                decoded++;
            }
        }
        assertThat(decoded).as("seed %d: some mutations must still decode", seed).isPositive();
    }

    @ParameterizedTest
    @ValueSource(longs = {7L, 1_000_003L})
    void decode_randomBytesBehindValidHeaders_returnsMessageOrThrowsProtocolException(long seed) {
        var random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            int length = random.nextInt(32) == 0 ? random.nextInt(ProtocolVersion.MAX_FRAME_BYTES + 64) : random.nextInt(300);
            byte[] frame = new byte[length];
            random.nextBytes(frame);
            if (length > 1 && random.nextBoolean()) {
                frame[0] = (byte) ProtocolVersion.CURRENT;
                frame[1] = (byte) (1 + random.nextInt(12));
            }
            check(frame, seed, i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3L, 99L})
    void frameCodec_mutatedFrames_failsOnlyWithProtocolException_andReleasesEveryFrame(long seed) {
        var random = new Random(seed);
        List<byte[]> corpus = corpus(random);
        var channel = new EmbeddedChannel(new FrameCodec());
        try {
            for (int i = 0; i < ITERATIONS / 5; i++) {
                byte[] frame = mutate(corpus.get(random.nextInt(corpus.size())), random);
                ByteBuf content = pooled.directBuffer(frame.length).writeBytes(frame);
                try {
                    channel.writeInbound(new BinaryWebSocketFrame(content));
                    Message m = channel.readInbound();
                    assertThat(m).as(context(seed, i, frame)).isNotNull();
                } catch (DecoderException e) {
                    assertThat(e.getCause()).as(context(seed, i, frame)).isInstanceOf(ProtocolException.class);
                }
                assertThat(content.refCnt()).as(context(seed, i, frame)).isZero();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Decodes one frame under every rule; returns whether it decoded. */
    private boolean check(byte[] frame, long seed, int iteration) {
        ByteBufAllocator alloc = iteration % 2 == 0 ? pooled : unpooled;
        ByteBuf in = iteration % 4 < 2 ? alloc.directBuffer(frame.length) : alloc.heapBuffer(frame.length);
        in.writeBytes(frame);
        Message message = null;
        ProtocolException rejected = null;
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            message = MessageCodec.decode(in);
        } catch (ProtocolException e) {
            rejected = e;
        } catch (Throwable t) {   // an OutOfMemoryError or any other exception is the bug we look for
            fail(context(seed, iteration, frame) + ": threw " + t, t);
        } finally {
            in.release();
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as(context(seed, iteration, frame) + ": bytes allocated by one decode")
                .isLessThan(MAX_ALLOCATION_PER_DECODE);
        if (rejected != null) {
            assertThat(rejected.getMessage()).as(context(seed, iteration, frame)).matches("[A-Z_]+: .+ \\(expected: .+\\)");
            return false;
        }
        assertCanonical(message, frame, seed, iteration);
        return true;
    }

    /** A decoded frame re-encodes to the very same bytes (one encoding per message), except unknown error codes. */
    private void assertCanonical(Message message, byte[] frame, long seed, int iteration) {
        ByteBuf again = MessageCodec.encode(unpooled, message);
        try {
            byte[] reencoded = ByteBufUtil.getBytes(again);
            if (message instanceof Message.ErrorMessage e && knownErrorCode(frame) != e.code()) {
                assertThat(e.code()).as(context(seed, iteration, frame)).isEqualTo(ErrorCode.INTERNAL);
                return;
            }
            assertThat(reencoded).as(context(seed, iteration, frame)).isEqualTo(frame);
        } finally {
            again.release();
        }
    }

    private static ErrorCode knownErrorCode(byte[] frame) {
        int wire = ((frame[18] & 0xff) << 8) | (frame[19] & 0xff);
        return Arrays.stream(ErrorCode.values()).filter(c -> c.wireValue() == wire).findFirst().orElse(null);
    }

    private List<byte[]> corpus(Random random) {
        var messages = new ArrayList<>(SampleMessages.all());
        for (int i = 0; i < 50; i++) {
            messages.add(randomMessage(random));
        }
        var frames = new ArrayList<byte[]>();
        for (Message m : messages) {
            ByteBuf b = MessageCodec.encode(unpooled, m);
            frames.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        return frames;
    }

    private static byte[] mutate(byte[] original, Random random) {
        byte[] frame = original.clone();
        switch (random.nextInt(7)) {
            case 0: // bit flips
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int bit = random.nextInt(frame.length * 8);
                    frame[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return frame;
            case 1: // truncation
                return Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            case 2: // extension with garbage
                byte[] longer = Arrays.copyOf(frame, frame.length + 1 + random.nextInt(64));
                for (int i = frame.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            case 3: // length-field corruption: a u16 anywhere in the body set to a boundary value
                if (frame.length > ProtocolVersion.HEADER_BYTES + 1) {
                    int at = ProtocolVersion.HEADER_BYTES + random.nextInt(frame.length - ProtocolVersion.HEADER_BYTES - 1);
                    int[] values = {0, 1, 0x7f, 0x80, 0xff, 0x100, 4096, 4097, 0x7fff, 0x8000, 0xffff};
                    int v = values[random.nextInt(values.length)];
                    frame[at] = (byte) (v >>> 8);
                    frame[at + 1] = (byte) v;
                }
                return frame;
            case 4: // random byte values
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
                }
                return frame;
            case 5: // a slice moved elsewhere
                int from = random.nextInt(frame.length);
                int to = random.nextInt(frame.length);
                int length = random.nextInt(Math.min(frame.length - from, frame.length - to) + 1);
                System.arraycopy(original, from, frame, to, length);
                return frame;
            default: // unchanged: must decode and re-encode identically
                return frame;
        }
    }

    private static Message randomMessage(Random random) {
        RequestId id = new RequestId(random.nextLong() | 1, random.nextLong());
        switch (random.nextInt(12)) {
            case 0:
                byte[] nonce = new byte[Message.Hello.NONCE_BYTES];
                random.nextBytes(nonce);
                return new Message.Hello(nonce, random.nextLong(), text(random));
            case 1:
                return new Message.Auth(text(random), random.nextLong(), text(random), text(random), bytes(random, 256));
            case 2:
                return new Message.Ready(text(random), text(random), random.nextLong(), 1 + random.nextInt(1000),
                        1 + random.nextInt(1000), random.nextInt(Integer.MAX_VALUE), 1 + random.nextInt(1000));
            case 3:
                return new Message.Request(id, bytes(random, 2000));
            case 4:
                return new Message.Accepted(id);
            case 5:
                return new Message.Result(id, bytes(random, 2000));
            case 6:
                var directories = new ArrayList<DirectoryStatus>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    directories.add(new DirectoryStatus(text(random), text(random), random.nextBoolean(), text(random),
                            random.nextLong(), random.nextBoolean(), text(random)));
                }
                return new Message.Heartbeat(text(random), random.nextLong(), random.nextInt(Integer.MAX_VALUE),
                        random.nextLong(), random.nextLong(), random.nextLong(), random.nextInt(Integer.MAX_VALUE), directories);
            case 7:
                return new Message.RotateKeys(1 + random.nextInt(Integer.MAX_VALUE - 1));
            case 8:
                return new Message.Keys(1 + random.nextInt(100), bytes(random, 400), bytes(random, 300));
            case 9:
                return new Message.Goaway(text(random), random.nextInt(Integer.MAX_VALUE));
            case 10:
                return new Message.Commit(id);
            default:
                var codes = ErrorCode.values();
                return new Message.ErrorMessage(random.nextBoolean() ? id : RequestId.ZERO,
                        codes[random.nextInt(codes.length)], text(random));
        }
    }

    /** ASCII, Latin, CJK and emoji, so strings of every UTF-8 width reach the codec. */
    private static String text(Random random) {
        String[] alphabet = {"a", "Z", "0", " ", "-", "é", "ß", "密", "码", "😀", "\u0000"};
        var s = new StringBuilder();
        for (int n = random.nextInt(24); n > 0; n--) {
            s.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return s.toString();
    }

    private static byte[] bytes(Random random, int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    private static String context(long seed, int iteration, byte[] frame) {
        String hex = HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 64));
        return "seed " + seed + ", iteration " + iteration + ", frame " + frame.length + " bytes: " + hex
                + (frame.length > 64 ? "…" : "");
    }
}
