/**
 * The relay's persistent state (tenants, tokens, agents, key versions, audit) behind
 * {@link dev.writeback.relay.store.Store}.
 */
package dev.writeback.relay.store;
