/** Helpers shared inside the protocol module only; nothing outside {@code protocol} imports this package. */
package dev.writeback.protocol.internal;
