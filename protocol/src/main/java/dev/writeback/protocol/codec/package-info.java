/** The wire format: {@link dev.writeback.protocol.codec.MessageCodec} and its Netty handler. */
package dev.writeback.protocol.codec;
