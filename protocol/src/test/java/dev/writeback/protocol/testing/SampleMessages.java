package dev.writeback.protocol.testing;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Message.Accepted;
import dev.writeback.protocol.Message.Auth;
import dev.writeback.protocol.Message.ErrorMessage;
import dev.writeback.protocol.Message.Goaway;
import dev.writeback.protocol.Message.Heartbeat;
import dev.writeback.protocol.Message.Hello;
import dev.writeback.protocol.Message.Keys;
import dev.writeback.protocol.Message.Ready;
import dev.writeback.protocol.Message.Request;
import dev.writeback.protocol.Message.Result;
import dev.writeback.protocol.Message.RotateKeys;
import dev.writeback.protocol.RequestId;
import java.util.HexFormat;
import java.util.List;

/**
 * One fixed message of every frame type, with the values of the test vectors in docs/protocol.md. The sealed
 * bodies and keys are placeholders: the codec carries them as opaque bytes.
 */
public final class SampleMessages {
    /** The request id of the per-request samples. */
    public static final RequestId REQUEST_ID = RequestId.parse("3b241101-e2bb-4255-8caf-4136c566a962");
    /** 2025-01-01T00:00:00Z, the relay's clock in the samples. */
    public static final long SERVER_TIME_MILLIS = 1_735_689_600_000L;
    /** The tenant of the samples. */
    public static final String TENANT_ID = "tenant-1";
    /** The agent of the samples. */
    public static final String AGENT_ID = "agent-7f3c";

    private SampleMessages() {}

    /** The HELLO nonce of the samples: bytes 0x00 to 0x1f. */
    public static byte[] nonce() {
        byte[] nonce = new byte[Hello.NONCE_BYTES];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) i;
        }
        return nonce;
    }

    /** A HELLO from relay.example.com. */
    public static Hello hello() {
        return new Hello(nonce(), SERVER_TIME_MILLIS, "relay.example.com");
    }

    /** An AUTH with a placeholder signature. */
    public static Auth auth() {
        return new Auth(AGENT_ID, SERVER_TIME_MILLIS + 1_000, "relay.example.com", "0.1.0", hex("3006020101020102"));
    }

    /** A READY for {@link #TENANT_ID}. */
    public static Ready ready() {
        return new Ready("s-1", TENANT_ID, SERVER_TIME_MILLIS + 1_500, 30, 300, 1, 256, "relay-1");
    }

    /** A REQUEST carrying a placeholder envelope (key version 1, zero nonce, zero tag, no ciphertext). */
    public static Request request() {
        return new Request(REQUEST_ID, hex("00000001" + "00".repeat(12) + "00".repeat(16)));
    }

    /** An ACCEPTED of {@link #REQUEST_ID}. */
    public static Accepted accepted() {
        return new Accepted(REQUEST_ID);
    }

    /** A COMMIT of {@link #REQUEST_ID}. */
    public static Message.Commit commit() {
        return new Message.Commit(REQUEST_ID);
    }

    /** A RESULT carrying a placeholder envelope. */
    public static Result result() {
        return new Result(REQUEST_ID, hex("00000001" + "11".repeat(12) + "22".repeat(16)));
    }

    /** A HEARTBEAT reporting one healthy Active Directory. */
    public static Heartbeat heartbeat() {
        return new Heartbeat("0.1.0", 3_600, 1, 42, 3, 1, 0, List.of(new DirectoryStatus("corp", "active-directory",
                true, "dc1.corp.example:636", 12, true, "")));
    }

    /** A ROTATE_KEYS to version 2. */
    public static RotateKeys rotateKeys() {
        return new RotateKeys(2);
    }

    /** The agent's KEYS answer: a placeholder public key, no wrapped key. */
    public static Keys agentKeys() {
        return new Keys(2, hex("3082010a02820101"), new byte[0]);
    }

    /** The relay's KEYS answer: no public key, a placeholder wrapped package key. */
    public static Keys relayKeys() {
        return new Keys(2, new byte[0], hex("0badc0de0badc0de"));
    }

    /** A GOAWAY asking for an immediate reconnect. */
    public static Goaway goaway() {
        return new Goaway("relay shutting down", 0);
    }

    /** An ERROR tied to {@link #REQUEST_ID}. */
    public static ErrorMessage requestError() {
        return new ErrorMessage(REQUEST_ID, ErrorCode.BUSY, "in flight: 256 (expected: < 256)");
    }

    /** An ERROR about the link (zero request id). */
    public static ErrorMessage linkError() {
        return new ErrorMessage(RequestId.ZERO, ErrorCode.UNSUPPORTED_VERSION, "protocol version: 2 (expected: 1)");
    }

    /** A HASH_SYNC with a placeholder sealed body. */
    public static Message.HashSync hashSync() {
        byte[] sealed = new byte[32];
        sealed[3] = 1;
        return new Message.HashSync(7, sealed);
    }

    /** A HASH_SYNC_ACK: stored, sync on. */
    public static Message.HashSyncAck hashSyncAck() {
        return new Message.HashSyncAck(7, true, true, false);
    }

    /** Every sample, at least one per frame type. */
    public static List<Message> all() {
        return List.of(hello(), auth(), ready(), request(), accepted(), commit(), result(), heartbeat(), rotateKeys(), agentKeys(),
                relayKeys(), goaway(), requestError(), linkError(), hashSync(), hashSyncAck());
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
