/** The agent's outbound link to the relay: connection, reconnect and backoff, keepalive, heartbeat, request handling. */
package dev.writeback.agent.link;
