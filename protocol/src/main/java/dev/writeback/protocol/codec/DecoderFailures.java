package dev.writeback.protocol.codec;

import io.netty.handler.codec.DecoderException;

/** Netty wraps what a decoder throws in a {@link DecoderException}; handlers decide on what was thrown. */
public final class DecoderFailures {
    private DecoderFailures() {}

    /** The exception a decoder threw, or {@code cause} itself when it is no wrapped decoder failure. */
    public static Throwable unwrap(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    }
}
