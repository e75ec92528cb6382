package dev.writeback.systemtests;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.codec.MessageCodec;
import dev.writeback.protocol.testing.SampleMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Seeded random and mutated frames for the live fuzz tests, and what the relay must answer to each. */
final class FrameFuzz {
    private final Random random;
    private final List<byte[]> corpus = new ArrayList<>();

    FrameFuzz(long seed, List<Message> extra) {
        this.random = new Random(seed);
        for (Message m : SampleMessages.all()) {
            corpus.add(encode(m));
        }
        for (Message m : extra) {
            corpus.add(encode(m));
        }
    }

    /** The next frame: a valid frame with one to three mutations, or random bytes (sometimes behind a valid header). */
    byte[] next() {
        if (random.nextInt(8) == 0) {
            int length = random.nextInt(64) == 0 ? random.nextInt(ProtocolVersion.MAX_FRAME_BYTES + 1) : random.nextInt(300);
            byte[] frame = new byte[length];
            random.nextBytes(frame);
            if (length > 1 && random.nextBoolean()) {
                frame[0] = (byte) ProtocolVersion.CURRENT;
                frame[1] = (byte) (1 + random.nextInt(11));
            }
            return frame;
        }
        byte[] frame = corpus.get(random.nextInt(corpus.size())).clone();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            frame = mutate(frame);
        }
        return frame;
    }

    private byte[] mutate(byte[] f) {
        if (f.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(f.length);
        switch (random.nextInt(9)) {
            case 0 -> f[at] ^= (byte) (1 << random.nextInt(8));                          // flip one bit
            case 1 -> f[at] = (byte) random.nextInt(256);                                // replace one byte
            case 2 -> f = Arrays.copyOf(f, at);                                          // truncate
            case 3 -> f = append(f, 1 + random.nextInt(16));                             // trailing bytes
            case 4 -> f[0] = (byte) random.nextInt(256);                                 // version
            case 5 -> f[Math.min(1, f.length - 1)] = (byte) random.nextInt(256);         // type
            case 6 -> {                                                                  // a length field near the end
                if (f.length > ProtocolVersion.HEADER_BYTES + 2) {
                    int p = ProtocolVersion.HEADER_BYTES + random.nextInt(f.length - ProtocolVersion.HEADER_BYTES - 1);
                    f[p] = (byte) 0xff;
                    f[p + 1] = (byte) random.nextInt(256);
                }
            }
            case 7 -> f = Arrays.copyOfRange(f, 0, Math.max(0, f.length - 1 - random.nextInt(Math.min(f.length, 8))));
            default -> {                                                                 // insert a byte
                byte[] g = new byte[f.length + 1];
                System.arraycopy(f, 0, g, 0, at);
                g[at] = (byte) random.nextInt(256);
                System.arraycopy(f, at, g, at + 1, f.length - at);
                f = g;
            }
        }
        return f;
    }

    private byte[] append(byte[] f, int n) {
        byte[] g = Arrays.copyOf(f, f.length + n);
        for (int i = f.length; i < g.length; i++) {
            g[i] = (byte) random.nextInt(256);
        }
        return g;
    }

    /** The frame as the relay's codec reads it: a message, or the ProtocolException it raises. */
    static Object decode(byte[] frame) {
        if (frame.length > ProtocolVersion.MAX_FRAME_BYTES) {
            return new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "frame length: " + frame.length);
        }
        ByteBuf in = Unpooled.wrappedBuffer(frame);
        try {
            return MessageCodec.decode(in);
        } catch (ProtocolException e) {
            return e;
        } finally {
            in.release();
        }
    }

    static byte[] encode(Message m) {
        ByteBuf buf = MessageCodec.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, m);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** How a failure names the frame: its length and first 48 bytes. */
    static String describe(byte[] frame) {
        return frame.length + " bytes " + HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 48));
    }
}
