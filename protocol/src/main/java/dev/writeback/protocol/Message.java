package dev.writeback.protocol;

/**
 * A frame exchanged between the relay and an agent over one WebSocket: the frame type is the record's
 * class, the request id is {@link #requestId()} (zero for control frames). Wire format: docs/protocol.md.
 */
public sealed interface Message
        permits Message.Hello, Message.Auth, Message.Ready, Message.Request, Message.Accepted, Message.Result,
                Message.Heartbeat, Message.RotateKeys, Message.Keys, Message.Goaway, Message.ErrorMessage, Message.Commit,
                Message.HashSync, Message.HashSyncAck {

    /** The request this frame belongs to, {@link RequestId#ZERO} for control frames. */
    default RequestId requestId() {
        return RequestId.ZERO;
    }

    /** The frame type written in the header. */
    FrameType type();

    /** Relay → agent, first frame: a fresh nonce that the agent signs. */
    record Hello(byte[] nonce, long serverTimeMillis, String relayName) implements Message {
        /** Length of the nonce in bytes. */
        public static final int NONCE_BYTES = 32;

        public Hello {
            nonce = Bytes.copyExact(nonce, NONCE_BYTES, "nonce");
            Bytes.checkString(relayName, "relayName");
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.HELLO;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && java.util.Arrays.equals(nonce, h.nonce)
                    && serverTimeMillis == h.serverTimeMillis && relayName.equals(h.relayName);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(nonce) * 31 + relayName.hashCode();
        }

        @Override
        public String toString() {
            return "Hello[serverTimeMillis=" + serverTimeMillis + ", relayName=" + relayName + "]";
        }
    }

    /**
     * Agent → relay: who the agent is, proven by an ECDSA P-256 signature over
     * {@link #signedPayload(byte[], String, String, long)}.
     */
    record Auth(String agentId, long timestampMillis, String relayHost, String agentVersion, byte[] signature)
            implements Message {
        /** Domain separation for the signed bytes. */
        static final String CONTEXT = "writeback-auth-v1";

        public Auth {
            Bytes.checkString(agentId, "agentId");
            Bytes.checkString(relayHost, "relayHost");
            Bytes.checkString(agentVersion, "agentVersion");
            signature = Bytes.copyBounded(signature, 256, "signature");
        }

        /** The exact bytes the agent signs: context, nonce, agent id, relay host and timestamp, each length-prefixed. */
        public static byte[] signedPayload(byte[] nonce, String agentId, String relayHost, long timestampMillis) {
            var out = new java.io.ByteArrayOutputStream();
            Bytes.writeField(out, CONTEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Bytes.writeField(out, nonce);
            Bytes.writeField(out, agentId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Bytes.writeField(out, relayHost.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Bytes.writeField(out, java.nio.ByteBuffer.allocate(8).putLong(timestampMillis).array());
            return out.toByteArray();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.AUTH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Auth a && agentId.equals(a.agentId) && timestampMillis == a.timestampMillis
                    && relayHost.equals(a.relayHost) && agentVersion.equals(a.agentVersion)
                    && java.util.Arrays.equals(signature, a.signature);
        }

        @Override
        public int hashCode() {
            return agentId.hashCode() * 31 + Long.hashCode(timestampMillis);
        }

        @Override
        public String toString() {
            return "Auth[agentId=" + agentId + ", timestampMillis=" + timestampMillis + ", relayHost=" + relayHost
                    + ", agentVersion=" + agentVersion + "]";
        }
    }

    /** Relay → agent: authentication succeeded; the session's parameters and the relay's clock. */
    record Ready(String sessionId, String tenantId, long serverTimeMillis, int pingIntervalSeconds,
                 int heartbeatIntervalSeconds, int keyVersion, int maxInFlight, String nodeId) implements Message {
        /** A READY from a relay that is not one node of several (no node id). */
        public Ready(String sessionId, String tenantId, long serverTimeMillis, int pingIntervalSeconds,
                     int heartbeatIntervalSeconds, int keyVersion, int maxInFlight) {
            this(sessionId, tenantId, serverTimeMillis, pingIntervalSeconds, heartbeatIntervalSeconds, keyVersion,
                    maxInFlight, "");
        }

        public Ready {
            Bytes.checkString(nodeId, "nodeId");
            Bytes.checkString(sessionId, "sessionId");
            Bytes.checkString(tenantId, "tenantId");
            Bytes.checkPositive(pingIntervalSeconds, "pingIntervalSeconds");
            Bytes.checkPositive(heartbeatIntervalSeconds, "heartbeatIntervalSeconds");
            Bytes.checkPositive(maxInFlight, "maxInFlight");
            Bytes.checkNonNegative(keyVersion, "keyVersion");
        }

        @Override
        public FrameType type() {
            return FrameType.READY;
        }
    }

    /** Relay → agent: one sealed password operation. */
    record Request(RequestId requestId, byte[] sealed) implements Message {
        public Request {
            Bytes.checkRequestId(requestId);
            sealed = Bytes.copyBounded(sealed, ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES, "sealed");
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.REQUEST;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && requestId.equals(r.requestId) && java.util.Arrays.equals(sealed, r.sealed);
        }

        @Override
        public int hashCode() {
            return requestId.hashCode();
        }

        @Override
        public String toString() {
            return "Request[requestId=" + requestId + ", sealed=" + sealed.length + " bytes]";
        }
    }

    /** Agent → relay: the request arrived; from now on its outcome is the agent's to report. */
    record Accepted(RequestId requestId) implements Message {
        public Accepted {
            Bytes.checkRequestId(requestId);
        }

        @Override
        public FrameType type() {
            return FrameType.ACCEPTED;
        }
    }

    /**
     * Relay → agent, after ACCEPTED: apply the request now. An agent applies a request only after COMMIT, so a
     * request whose COMMIT the relay never wrote cannot have been applied and may safely go to another agent.
     */
    record Commit(RequestId requestId) implements Message {
        public Commit {
            Bytes.checkRequestId(requestId);
        }

        @Override
        public FrameType type() {
            return FrameType.COMMIT;
        }
    }

    /** Agent → relay: the sealed {@link Outcome} of one request. */
    record Result(RequestId requestId, byte[] sealed) implements Message {
        public Result {
            Bytes.checkRequestId(requestId);
            sealed = Bytes.copyBounded(sealed, ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES, "sealed");
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.RESULT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && requestId.equals(r.requestId) && java.util.Arrays.equals(sealed, r.sealed);
        }

        @Override
        public int hashCode() {
            return requestId.hashCode();
        }

        @Override
        public String toString() {
            return "Result[requestId=" + requestId + ", sealed=" + sealed.length + " bytes]";
        }
    }

    /** Agent → relay, every few minutes: version, uptime, key version, counters and directory health. */
    record Heartbeat(String agentVersion, long uptimeSeconds, int keyVersion, long succeeded, long failed,
                     long rejected, int inFlight, java.util.List<DirectoryStatus> directories) implements Message {
        /** Most directories one heartbeat reports. */
        public static final int MAX_DIRECTORIES = 32;

        public Heartbeat {
            Bytes.checkString(agentVersion, "agentVersion");
            Bytes.checkNonNegative(keyVersion, "keyVersion");
            Bytes.checkNonNegative(inFlight, "inFlight");
            directories = java.util.List.copyOf(directories);
            if (directories.size() > MAX_DIRECTORIES) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                        "directories: " + directories.size() + " (expected: <= " + MAX_DIRECTORIES + ")");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.HEARTBEAT;
        }
    }

    /** Relay → agent: make a new RSA key pair for {@code keyVersion} and answer with {@link Keys}. */
    record RotateKeys(int keyVersion) implements Message {
        public RotateKeys {
            Bytes.checkPositive(keyVersion, "keyVersion");
        }

        @Override
        public FrameType type() {
            return FrameType.ROTATE_KEYS;
        }
    }

    /**
     * Key rollover. Agent → relay: {@code rsaPublicKey} (X.509 DER) for the new version, {@code wrappedPackageKey}
     * empty. Relay → agent: {@code wrappedPackageKey} (the new AES-256 package key, RSA-OAEP wrapped with that
     * public key), {@code rsaPublicKey} empty.
     */
    record Keys(int keyVersion, byte[] rsaPublicKey, byte[] wrappedPackageKey) implements Message {
        public Keys {
            Bytes.checkPositive(keyVersion, "keyVersion");
            rsaPublicKey = Bytes.copyBounded(rsaPublicKey, 2048, "rsaPublicKey");
            wrappedPackageKey = Bytes.copyBounded(wrappedPackageKey, 1024, "wrappedPackageKey");
        }

        @Override
        public byte[] rsaPublicKey() {
            return rsaPublicKey.clone();
        }

        @Override
        public byte[] wrappedPackageKey() {
            return wrappedPackageKey.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.KEYS;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Keys k && keyVersion == k.keyVersion && java.util.Arrays.equals(rsaPublicKey, k.rsaPublicKey)
                    && java.util.Arrays.equals(wrappedPackageKey, k.wrappedPackageKey);
        }

        @Override
        public int hashCode() {
            return keyVersion;
        }

        @Override
        public String toString() {
            return "Keys[keyVersion=" + keyVersion + ", rsaPublicKey=" + rsaPublicKey.length + " bytes, wrappedPackageKey="
                    + wrappedPackageKey.length + " bytes]";
        }
    }

    /** Relay → agent: finish what is in flight, then reconnect after the given delay (0 = at once). */
    record Goaway(String reason, int reconnectAfterMillis) implements Message {
        public Goaway {
            Bytes.checkString(reason, "reason");
            if (reconnectAfterMillis < 0) {
                throw new IllegalArgumentException("reconnectAfterMillis: " + reconnectAfterMillis + " (expected: >= 0)");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.GOAWAY;
        }
    }

    /** Either side: a rejected frame or request. A non-zero request id ties it to one request. */
    record ErrorMessage(RequestId requestId, ErrorCode code, String message) implements Message {
        public ErrorMessage {
            java.util.Objects.requireNonNull(requestId, "requestId");
            java.util.Objects.requireNonNull(code, "code");
            Bytes.checkString(message, "message");
        }

        @Override
        public FrameType type() {
            return FrameType.ERROR;
        }
    }

    /**
     * Agent → relay: one batch of password hash sync entries ({@code Sealing.sealHashSync}), sealed with the package
     * key and bound to the tenant and agent; the cursor is repeated inside the sealed body, so a body moved under
     * another cursor does not open. The relay answers each with {@link HashSyncAck}; an agent keeps at most one
     * batch unacknowledged, so a full sync never queues ahead of password operations on the link.
     */
    record HashSync(long cursor, byte[] sealed) implements Message {
        /** Most entries in one batch. */
        public static final int MAX_ENTRIES = 500;

        public HashSync {
            if (cursor <= 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "hash sync cursor: " + cursor + " (expected: > 0)");
            }
            sealed = Bytes.copyBounded(sealed, ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES - 10, "sealed");
        }

        @Override
        public byte[] sealed() {
            return sealed.clone();
        }

        @Override
        public FrameType type() {
            return FrameType.HASH_SYNC;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HashSync h && cursor == h.cursor && java.util.Arrays.equals(sealed, h.sealed);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(cursor);
        }

        @Override
        public String toString() {
            return "HashSync[cursor=" + cursor + ", sealed=" + sealed.length + " bytes]";
        }
    }

    /**
     * Relay → agent: what became of the HASH_SYNC batch with this cursor.
     *
     * @param stored the relay stored the batch (false: hash sync is off for the tenant, or the relay could not
     *     store it now; the agent keeps its users for the next cycle)
     * @param enabled hash sync is on for the tenant
     * @param fullSyncRequested an administrator asked for a full sync: the agent starts one at its next cycle
     */
    record HashSyncAck(long cursor, boolean stored, boolean enabled, boolean fullSyncRequested) implements Message {
        public HashSyncAck {
            if (cursor <= 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "hash sync cursor: " + cursor + " (expected: > 0)");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.HASH_SYNC_ACK;
        }
    }
}
