/** The relay's side of password hash sync: the stored form, the per-user status and the password check (docs/hash-sync.md). */
package dev.writeback.relay.hashsync;
