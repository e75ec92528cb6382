/** The protocol's public vocabulary: messages, result codes, anchors, errors and {@link dev.writeback.protocol.Secret}. */
package dev.writeback.protocol;
