/**
 * Several relay nodes as one relay: node identity, and operations forwarded over NATS request/reply to the node
 * that holds a session of the chosen agent (only sealed bytes cross NATS).
 */
package dev.writeback.relay.cluster;
