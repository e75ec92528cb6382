package dev.writeback.protocol.crypto;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.ProtocolVersion;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * What a sealed body is bound to: the frame type, request id, tenant and agent. Together with the key version
 * it forms the AES-GCM additional data, so a body moved to another request, agent or tenant fails its tag.
 */
public record EnvelopeContext(FrameType type, RequestId requestId, String tenantId, String agentId) {
    public EnvelopeContext {
        requireNonNull(type, "type");
        requireNonNull(requestId, "requestId");
        requireNonNull(tenantId, "tenantId");
        requireNonNull(agentId, "agentId");
    }

    /** AAD = version u8 | type u8 | request id 16 | tenant id str | agent id str | key version u32. */
    byte[] aad(int keyVersion) {
        ByteBuf b = Unpooled.buffer(64);
        try {
            b.writeByte(ProtocolVersion.CURRENT).writeByte(type.wireValue()).writeBytes(requestId.toBytes());
            Wire.writeString(b, tenantId);
            Wire.writeString(b, agentId);
            b.writeInt(keyVersion);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }
}
