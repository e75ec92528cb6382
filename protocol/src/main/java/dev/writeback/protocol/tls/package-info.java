/** The TLS policy shared by relay and agent: protocols, certificates, fingerprints and pinning. */
package dev.writeback.protocol.tls;
