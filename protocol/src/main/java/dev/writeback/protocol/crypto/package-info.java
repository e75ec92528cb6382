/** The sealed envelope: RSA-OAEP per password, AES-256-GCM per body, ECDSA P-256 signatures, key wrapping. */
package dev.writeback.protocol.crypto;
