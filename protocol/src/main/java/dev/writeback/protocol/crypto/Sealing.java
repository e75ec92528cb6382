package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.internal.Wire.bytes;
import static dev.writeback.protocol.internal.Wire.end;
import static dev.writeback.protocol.internal.Wire.i64;
import static dev.writeback.protocol.internal.Wire.string;
import static dev.writeback.protocol.internal.Wire.u16;
import static dev.writeback.protocol.internal.Wire.u8;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Seals and opens the plaintext of REQUEST and RESULT bodies (docs/protocol.md, "Sealed bodies"). Each password
 * is first encrypted on its own with the agent's RSA key, then the whole package with the AES-256 package key.
 */
public final class Sealing {
    private static final int FIELD_NEW_PASSWORD = 1;
    private static final int FIELD_CURRENT_PASSWORD = 2;
    /** Enough blocks for {@link PasswordRequest#MAX_PASSWORD_CHARS} characters of three UTF-8 bytes each. */
    private static final int MAX_BLOCKS =
            (PasswordRequest.MAX_PASSWORD_CHARS * 3 + RsaOaep.MAX_BLOCK_PLAINTEXT - 1) / RsaOaep.MAX_BLOCK_PLAINTEXT;

    private Sealing() {}

    /** Seals a request for one agent: RSA-OAEP per password, then AES-GCM with the context as AAD. */
    public static byte[] sealRequest(PasswordRequest request, PackageKey key, PublicKey agentRsaKey,
                                     EnvelopeContext context, SecureRandom random) {
        ByteBuf b = Unpooled.buffer(1024);
        try {
            b.writeByte(request.operation().wireValue());
            Wire.writeString(b, request.anchor().toString());
            b.writeByte((request.unlock() ? 1 : 0) | (request.forceChangeAtNextLogon() ? 2 : 0));
            b.writeLong(request.issuedAt().toEpochMilli()).writeLong(request.expiresAt().toEpochMilli());
            int count = (request.newPassword().isPresent() ? 1 : 0) + (request.currentPassword().isPresent() ? 1 : 0);
            b.writeByte(count);
            request.newPassword().ifPresent(s -> writeSecret(b, FIELD_NEW_PASSWORD, s, agentRsaKey, random));
            request.currentPassword().ifPresent(s -> writeSecret(b, FIELD_CURRENT_PASSWORD, s, agentRsaKey, random));
            byte[] plain = ByteBufUtil.getBytes(b);
            try {
                return Envelope.seal(key, context, plain, random);
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
        } finally {
            b.setZero(0, b.capacity());
            b.release();
        }
    }

    /** Opens a request with the agent's keys; unknown key versions, bad tags and bad fields are rejected. */
    public static PasswordRequest openRequest(byte[] sealed, EnvelopeContext context, KeyRing keys) {
        int version = Envelope.keyVersion(sealed);
        PackageKey key = keys.packageKey(version).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                "key version: " + version + " (expected: a version this agent holds)"));
        PrivateKey rsa = keys.encryptionKey(version).orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_KEY_VERSION,
                "encryption key version: " + version + " (expected: a version this agent holds)"));
        byte[] plain = Envelope.open(key, context, sealed);
        ByteBuf in = Unpooled.wrappedBuffer(plain);
        try {
            return readRequest(in, rsa);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed request: " + e.getMessage());
        } finally {
            in.release();
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Seals a result with the package key. */
    public static byte[] sealResult(Outcome outcome, PackageKey key, EnvelopeContext context, SecureRandom random) {
        ByteBuf b = Unpooled.buffer(512);
        try {
            b.writeShort(outcome.code().wireValue()).writeByte(outcome.reason().wireValue());
            Wire.writeString(b, outcome.userMessage());
            Wire.writeString(b, outcome.adminDiagnostic());
            Wire.writeString(b, outcome.directory());
            Wire.writeString(b, outcome.server());
            b.writeLong(outcome.directoryMillis());
            return Envelope.seal(key, context, ByteBufUtil.getBytes(b), random);
        } finally {
            b.release();
        }
    }

    /** Opens a result with the package key of the version it names. */
    public static Outcome openResult(byte[] sealed, EnvelopeContext context, PackageKey key) {
        ByteBuf in = Unpooled.wrappedBuffer(Envelope.open(key, context, sealed));
        try {
            var outcome = new Outcome(ResultCode.ofWireValue(u16(in, "result code")), PolicyReason.ofWireValue(u8(in, "reason")),
                    string(in, "userMessage"), string(in, "adminDiagnostic"), string(in, "directory"), string(in, "server"),
                    Math.max(0, i64(in, "directoryMillis")));
            end(in, "sealed result");
            return outcome;
        } finally {
            in.release();
        }
    }

    private static void writeSecret(ByteBuf b, int field, Secret secret, PublicKey rsa, SecureRandom random) {
        if (secret.length() > PasswordRequest.MAX_PASSWORD_CHARS) {
            throw new IllegalArgumentException("password length: " + secret.length() + " characters (expected: <= "
                    + PasswordRequest.MAX_PASSWORD_CHARS + ")");
        }
        byte[] utf8 = secret.toUtf8();
        try {
            int blocks = Math.max(1, (utf8.length + RsaOaep.MAX_BLOCK_PLAINTEXT - 1) / RsaOaep.MAX_BLOCK_PLAINTEXT);
            b.writeByte(field).writeByte(blocks);
            for (int i = 0; i < blocks; i++) {
                int from = i * RsaOaep.MAX_BLOCK_PLAINTEXT;
                byte[] chunk = Arrays.copyOfRange(utf8, from, Math.min(utf8.length, from + RsaOaep.MAX_BLOCK_PLAINTEXT));
                Wire.writeBytes(b, RsaOaep.encrypt(rsa, chunk, random));
                Arrays.fill(chunk, (byte) 0);
            }
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }

    private static PasswordRequest readRequest(ByteBuf in, PrivateKey rsa) {
        Operation op = Operation.ofWireValue(u8(in, "operation"));
        Anchor anchor = Anchor.parse(string(in, "anchor"));
        int flags = u8(in, "flags");
        if ((flags & ~3) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "flags: " + flags + " (expected: bits 0-1 only)");
        }
        Instant issuedAt = Instant.ofEpochMilli(i64(in, "issuedAt"));
        Instant expiresAt = Instant.ofEpochMilli(i64(in, "expiresAt"));
        int count = u8(in, "secret count");
        Secret newPassword = null;
        Secret currentPassword = null;
        try {
            for (int i = 0; i < count; i++) {
                int field = u8(in, "secret field");
                Secret s = readSecret(in, rsa);
                if (field == FIELD_NEW_PASSWORD && newPassword == null) {
                    newPassword = s;
                } else if (field == FIELD_CURRENT_PASSWORD && currentPassword == null) {
                    currentPassword = s;
                } else {
                    s.close();
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "secret field: " + field + " (expected: 1 or 2, once each)");
                }
            }
            end(in, "sealed request");
            return new PasswordRequest(op, anchor, (flags & 1) != 0, (flags & 2) != 0, issuedAt, expiresAt,
                    Optional.ofNullable(newPassword), Optional.ofNullable(currentPassword));
        } catch (RuntimeException e) {
            closeAll(newPassword, currentPassword);   // nothing half-read stays in memory
            throw e;
        }
    }

    private static void closeAll(Secret... secrets) {
        for (Secret s : secrets) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static Secret readSecret(ByteBuf in, PrivateKey rsa) {
        int blocks = u8(in, "secret blocks");
        if (blocks < 1 || blocks > MAX_BLOCKS) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "secret blocks: " + blocks + " (expected: 1.." + MAX_BLOCKS + ")");
        }
        byte[] utf8 = new byte[blocks * RsaOaep.MAX_BLOCK_PLAINTEXT];
        int length = 0;
        try {
            for (int i = 0; i < blocks; i++) {
                byte[] part = RsaOaep.decrypt(rsa, bytes(in, 512, "secret block"));
                if (part.length > RsaOaep.MAX_BLOCK_PLAINTEXT) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "secret block: too long");
                }
                System.arraycopy(part, 0, utf8, length, part.length);
                length += part.length;
                Arrays.fill(part, (byte) 0);
            }
            byte[] exact = Arrays.copyOf(utf8, length);
            Secret secret;
            try {
                secret = Secret.fromUtf8(exact);
            } finally {
                Arrays.fill(exact, (byte) 0);
            }
            if (secret.length() > PasswordRequest.MAX_PASSWORD_CHARS) {
                int chars = secret.length();
                secret.close();
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "password length: " + chars
                        + " characters (expected: <= " + PasswordRequest.MAX_PASSWORD_CHARS + ")");
            }
            return secret;
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }
}
