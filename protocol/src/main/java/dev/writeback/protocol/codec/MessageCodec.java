package dev.writeback.protocol.codec;

import static dev.writeback.protocol.internal.Wire.bool;
import static dev.writeback.protocol.internal.Wire.bytes;
import static dev.writeback.protocol.internal.Wire.end;
import static dev.writeback.protocol.internal.Wire.fixed;
import static dev.writeback.protocol.internal.Wire.i64;
import static dev.writeback.protocol.internal.Wire.string;
import static dev.writeback.protocol.internal.Wire.u16;
import static dev.writeback.protocol.internal.Wire.u31;
import static dev.writeback.protocol.internal.Wire.u8;
import static dev.writeback.protocol.internal.Wire.writeBytes;
import static dev.writeback.protocol.internal.Wire.writeString;

import dev.writeback.protocol.DirectoryStatus;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Message.Accepted;
import dev.writeback.protocol.Message.Auth;
import dev.writeback.protocol.Message.Commit;
import dev.writeback.protocol.Message.ErrorMessage;
import dev.writeback.protocol.Message.Goaway;
import dev.writeback.protocol.Message.HashSync;
import dev.writeback.protocol.Message.HashSyncAck;
import dev.writeback.protocol.Message.Heartbeat;
import dev.writeback.protocol.Message.Hello;
import dev.writeback.protocol.Message.Keys;
import dev.writeback.protocol.Message.Ready;
import dev.writeback.protocol.Message.Request;
import dev.writeback.protocol.Message.Result;
import dev.writeback.protocol.Message.RotateKeys;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.RequestId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;

/**
 * The wire format of one frame, written to read like docs/protocol.md:
 * {@code version u8 | type u8 | request id 16 bytes | body}, at most {@link ProtocolVersion#MAX_FRAME_BYTES}.
 */
public final class MessageCodec {
    private static final int MAX_SEALED = ProtocolVersion.MAX_FRAME_BYTES - ProtocolVersion.HEADER_BYTES - 2;

    private MessageCodec() {}

    /** Encodes a message into a new buffer owned by the caller. */
    public static ByteBuf encode(ByteBufAllocator alloc, Message message) {
        ByteBuf out = alloc.buffer(256);
        try {
            out.writeByte(ProtocolVersion.CURRENT);
            out.writeByte(message.type().wireValue());
            out.writeBytes(message.requestId().toBytes());
            writeBody(out, message);
            if (out.readableBytes() > ProtocolVersion.MAX_FRAME_BYTES) {
                throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "frame length: " + out.readableBytes()
                        + " (expected: <= " + ProtocolVersion.MAX_FRAME_BYTES + ")");
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Decodes one whole frame; every byte must be consumed. Does not release {@code in}. */
    public static Message decode(ByteBuf in) {
        int length = in.readableBytes();
        if (length > ProtocolVersion.MAX_FRAME_BYTES) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                    "frame length: " + length + " (expected: <= " + ProtocolVersion.MAX_FRAME_BYTES + ")");
        }
        int version = u8(in, "protocol version");   // first, so a newer peer is told so whatever its header size
        if (version != ProtocolVersion.CURRENT) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "protocol version: " + version + " (expected: " + ProtocolVersion.CURRENT + ")");
        }
        if (length < ProtocolVersion.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "frame length: " + length + " (expected: >= " + ProtocolVersion.HEADER_BYTES + ")");
        }
        FrameType type = FrameType.ofWireValue(in.readUnsignedByte());
        RequestId id = RequestId.of(fixed(in, 16, "request id"));
        checkRequestId(type, id);
        Message message = readBody(in, type, id);
        end(in, type + " frame");
        return message;
    }

    private static void checkRequestId(FrameType type, RequestId id) {
        boolean perRequest = type == FrameType.REQUEST || type == FrameType.ACCEPTED || type == FrameType.COMMIT
                || type == FrameType.RESULT;
        if (perRequest && id.isZero()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, type + " request id: zero (expected: non-zero)");
        }
        if (!perRequest && type != FrameType.ERROR && !id.isZero()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, type + " request id: " + id + " (expected: zero)");
        }
    }

    private static void writeBody(ByteBuf out, Message message) {
        if (message instanceof Hello m) {
            out.writeBytes(m.nonce()).writeLong(m.serverTimeMillis());
            writeString(out, m.relayName());
        } else if (message instanceof Auth m) {
            writeString(out, m.agentId());
            out.writeLong(m.timestampMillis());
            writeString(out, m.relayHost());
            writeString(out, m.agentVersion());
            writeBytes(out, m.signature());
        } else if (message instanceof Ready m) {
            writeString(out, m.sessionId());
            writeString(out, m.tenantId());
            out.writeLong(m.serverTimeMillis()).writeInt(m.pingIntervalSeconds()).writeInt(m.heartbeatIntervalSeconds())
                    .writeInt(m.keyVersion()).writeInt(m.maxInFlight());
            if (!m.nodeId().isEmpty()) {
                writeString(out, m.nodeId());   // absent from a relay on its own: its READY reads as before
            }
        } else if (message instanceof Request m) {
            writeBytes(out, m.sealed());
        } else if (message instanceof Accepted || message instanceof Commit) {
            // empty body: the request id in the header says it all
        } else if (message instanceof Result m) {
            writeBytes(out, m.sealed());
        } else if (message instanceof Heartbeat m) {
            writeHeartbeat(out, m);
        } else if (message instanceof RotateKeys m) {
            out.writeInt(m.keyVersion());
        } else if (message instanceof Keys m) {
            out.writeInt(m.keyVersion());
            writeBytes(out, m.rsaPublicKey());
            writeBytes(out, m.wrappedPackageKey());
        } else if (message instanceof Goaway m) {
            writeString(out, m.reason());
            out.writeInt(m.reconnectAfterMillis());
        } else if (message instanceof HashSync m) {
            out.writeLong(m.cursor());
            writeBytes(out, m.sealed());
        } else if (message instanceof HashSyncAck m) {
            out.writeLong(m.cursor());
            out.writeByte((m.stored() ? 1 : 0) | (m.enabled() ? 2 : 0) | (m.fullSyncRequested() ? 4 : 0));
        } else if (message instanceof ErrorMessage m) {
            out.writeShort(m.code().wireValue());
            writeString(out, m.message());
        }
    }

    private static void writeHeartbeat(ByteBuf out, Heartbeat m) {
        writeString(out, m.agentVersion());
        out.writeLong(m.uptimeSeconds()).writeInt(m.keyVersion()).writeLong(m.succeeded()).writeLong(m.failed())
                .writeLong(m.rejected()).writeInt(m.inFlight());
        out.writeByte(m.directories().size());
        for (DirectoryStatus d : m.directories()) {
            writeString(out, d.name());
            writeString(out, d.type());
            out.writeBoolean(d.reachable());
            writeString(out, d.server());
            out.writeLong(d.latencyMillis());
            out.writeBoolean(d.historyEnforcedOnReset());
            writeString(out, d.problem());
            writeString(out, d.passwordPolicy());
        }
    }

    private static Message readBody(ByteBuf in, FrameType type, RequestId id) {
        switch (type) {
            case HELLO:
                return new Hello(fixed(in, Hello.NONCE_BYTES, "nonce"), i64(in, "serverTimeMillis"), string(in, "relayName"));
            case AUTH:
                return new Auth(string(in, "agentId"), i64(in, "timestampMillis"), string(in, "relayHost"),
                        string(in, "agentVersion"), bytes(in, 256, "signature"));
            case READY:
                return new Ready(string(in, "sessionId"), string(in, "tenantId"), i64(in, "serverTimeMillis"),
                        u31(in, "pingIntervalSeconds"), u31(in, "heartbeatIntervalSeconds"), u31(in, "keyVersion"),
                        u31(in, "maxInFlight"), in.isReadable() ? string(in, "nodeId") : "");
            case REQUEST:
                return new Request(id, bytes(in, MAX_SEALED, "sealed"));
            case ACCEPTED:
                return new Accepted(id);
            case COMMIT:
                return new Commit(id);
            case RESULT:
                return new Result(id, bytes(in, MAX_SEALED, "sealed"));
            case HEARTBEAT:
                return readHeartbeat(in);
            case ROTATE_KEYS:
                return new RotateKeys(u31(in, "keyVersion"));
            case KEYS:
                return new Keys(u31(in, "keyVersion"), bytes(in, 2048, "rsaPublicKey"), bytes(in, 1024, "wrappedPackageKey"));
            case GOAWAY:
                return new Goaway(string(in, "reason"), u31(in, "reconnectAfterMillis"));
            case ERROR:
                return new ErrorMessage(id, ErrorCode.ofWireValue(u16(in, "error code")), string(in, "message"));
            case HASH_SYNC:
                return new HashSync(i64(in, "cursor"), bytes(in, MAX_SEALED - 8, "sealed"));
            case HASH_SYNC_ACK:
                return hashSyncAck(i64(in, "cursor"), u8(in, "flags"));
            default:
                throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "frame type: " + type);
        }
    }

    private static HashSyncAck hashSyncAck(long cursor, int flags) {
        if ((flags & ~7) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "hash sync ack flags: " + flags + " (expected: 0..7)");
        }
        return new HashSyncAck(cursor, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
    }

    private static Heartbeat readHeartbeat(ByteBuf in) {
        String version = string(in, "agentVersion");
        long uptime = i64(in, "uptimeSeconds");
        int keyVersion = u31(in, "keyVersion");
        long succeeded = i64(in, "succeeded");
        long failed = i64(in, "failed");
        long rejected = i64(in, "rejected");
        int inFlight = u31(in, "inFlight");
        int count = u8(in, "directory count");
        if (count > Heartbeat.MAX_DIRECTORIES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "directory count: " + count + " (expected: <= " + Heartbeat.MAX_DIRECTORIES + ")");
        }
        var directories = new ArrayList<DirectoryStatus>(count);
        for (int i = 0; i < count; i++) {
            directories.add(new DirectoryStatus(string(in, "directory name"), string(in, "directory type"),
                    bool(in, "reachable"), string(in, "server"), i64(in, "latencyMillis"), bool(in, "historyEnforcedOnReset"),
                    string(in, "problem"), string(in, "passwordPolicy")));
        }
        return new Heartbeat(version, uptime, keyVersion, succeeded, failed, rejected, inFlight, directories);
    }
}
