/** Password hash sync: the PPH1 form an agent derives from an NT hash, and the batches it sends (docs/hash-sync.md). */
package dev.writeback.protocol.hashsync;
