/** Test fixtures shared with the relay and agent modules through protocol's test-jar: a fake clock, log capture, sample messages. */
package dev.writeback.protocol.testing;
