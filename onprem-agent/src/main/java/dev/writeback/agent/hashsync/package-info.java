/** The agent's side of password hash sync: where NT hashes come from and how they reach the relay (docs/hash-sync.md). */
package dev.writeback.agent.hashsync;
