package dev.writeback.protocol.crypto;

import static dev.writeback.protocol.internal.Wire.bytes;
import static dev.writeback.protocol.internal.Wire.end;
import static dev.writeback.protocol.internal.Wire.fixed;
import static dev.writeback.protocol.internal.Wire.i64;
import static dev.writeback.protocol.internal.Wire.string;
import static dev.writeback.protocol.internal.Wire.u16;
import static dev.writeback.protocol.internal.Wire.u8;

import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ProtocolException;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.hashsync.HashSyncBatch;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.protocol.internal.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Seals and opens the plaintext of REQUEST, RESULT and HASH_SYNC bodies (docs/protocol.md, "Sealed bodies"). Each
 * password is first encrypted on its own with the agent's RSA key, then the whole package with the AES-256 package
 * key. Hash sync batches are sealed with the package key only: they hold PPH1 values, never an NT hash.
 */
public final class Sealing {
    private static final int FIELD_NEW_PASSWORD = 1;
    private static final int FIELD_CURRENT_PASSWORD = 2;
    private static final int PROFILE_ENABLED = 1;
    private static final int PROFILE_LOCKED = 2;
    private static final int PROFILE_MUST_CHANGE = 4;
    private static final int PROFILE_PROTECTED = 8;
    private static final int PROFILE_POLICY_KNOWN = 16;
    private static final int PROFILE_COMPLEXITY = 32;
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
            outcome.profile().ifPresent(p -> writeProfile(b, p));
            return Envelope.seal(key, context, ByteBufUtil.getBytes(b), random);
        } finally {
            b.release();
        }
    }

    /** Opens a result with the package key of the version it names. */
    public static Outcome openResult(byte[] sealed, EnvelopeContext context, PackageKey key) {
        ByteBuf in = Unpooled.wrappedBuffer(Envelope.open(key, context, sealed));
        try {
            ResultCode code = ResultCode.ofWireValue(u16(in, "result code"));
            PolicyReason reason = PolicyReason.ofWireValue(u8(in, "reason"));
            String userMessage = string(in, "userMessage");
            String adminDiagnostic = string(in, "adminDiagnostic");
            String directory = string(in, "directory");
            String server = string(in, "server");
            long millis = Math.max(0, i64(in, "directoryMillis"));
            Optional<AccountProfile> profile = Optional.empty();
            if (in.isReadable()) {
                if (code != ResultCode.SUCCESS) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed result: a profile with " + code
                            + " (expected: a profile only with SUCCESS)");
                }
                profile = Optional.of(readProfile(in));
            }
            end(in, "sealed result");
            return new Outcome(code, reason, userMessage, adminDiagnostic, directory, server, millis, profile);
        } finally {
            in.release();
        }
    }

    private static void writeProfile(ByteBuf b, AccountProfile p) {
        Wire.writeString(b, p.anchor().toString());
        b.writeByte((p.enabled() ? PROFILE_ENABLED : 0) | (p.locked() ? PROFILE_LOCKED : 0)
                | (p.mustChange() ? PROFILE_MUST_CHANGE : 0) | (p.protectedAccount() ? PROFILE_PROTECTED : 0)
                | (p.policy().known() ? PROFILE_POLICY_KNOWN : 0) | (p.policy().complexity() ? PROFILE_COMPLEXITY : 0));
        Wire.writeString(b, p.displayName());
        for (var values : List.of(p.mail(), p.otherMailbox(), p.mobile(), p.telephone())) {
            b.writeByte(values.size());
            values.forEach(v -> Wire.writeString(b, v));
        }
        b.writeShort(p.policy().minLength()).writeShort(p.policy().history());
    }

    private static AccountProfile readProfile(ByteBuf in) {
        Anchor anchor;
        try {
            anchor = Anchor.parse(string(in, "profile anchor"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "profile anchor: " + e.getMessage());
        }
        int flags = u8(in, "profile flags");
        if ((flags & ~0x3f) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "profile flags: " + flags + " (expected: bits 0-5 only)");
        }
        String displayName = string(in, "displayName");
        List<List<String>> lists = new ArrayList<>();
        for (String field : List.of("mail", "otherMailbox", "mobile", "telephone")) {
            int count = u8(in, field + " count");
            if (count > AccountProfile.MAX_VALUES) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, field + " count: " + count + " (expected: <= "
                        + AccountProfile.MAX_VALUES + ")");
            }
            List<String> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(string(in, field));
            }
            lists.add(values);
        }
        int minLength = u16(in, "policy minLength");
        int history = u16(in, "policy history");
        var policy = (flags & PROFILE_POLICY_KNOWN) == 0 ? AccountProfile.Policy.UNKNOWN
                : new AccountProfile.Policy(true, minLength, (flags & PROFILE_COMPLEXITY) != 0, history);
        try {
            return new AccountProfile(anchor, displayName, (flags & PROFILE_ENABLED) != 0, (flags & PROFILE_LOCKED) != 0,
                    (flags & PROFILE_MUST_CHANGE) != 0, (flags & PROFILE_PROTECTED) != 0, lists.get(0), lists.get(1),
                    lists.get(2), lists.get(3), policy);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "profile: " + e.getMessage());
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

    /**
     * Seals a hash sync batch with the package key: {@code cursor i64 | flags u8 (1: full sync) | count u16 |} per
     * entry {@code anchor str | upn str | status u8 | stamp i64 | [salt 10 | PPH1 hash 32, SUCCESS only]}.
     */
    public static byte[] sealHashSync(HashSyncBatch batch, PackageKey key, EnvelopeContext context, SecureRandom random) {
        ByteBuf b = Unpooled.buffer(1024);
        byte[] plain = null;
        try {
            b.writeLong(batch.cursor()).writeByte(batch.fullSync() ? 1 : 0).writeShort(batch.entries().size());
            for (HashSyncEntry e : batch.entries()) {
                Wire.writeString(b, e.anchor());
                Wire.writeString(b, e.upn());
                b.writeByte(e.status().wireValue()).writeLong(e.stamp());
                if (e.status() == HashSyncStatus.SUCCESS) {
                    b.writeBytes(e.salt()).writeBytes(e.hash());
                }
            }
            plain = ByteBufUtil.getBytes(b);
            return Envelope.seal(key, context, plain, random);
        } finally {
            b.setZero(0, b.capacity());
            b.release();
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    /** Opens a hash sync batch; {@code cursor} is the frame's, which the sealed body must repeat. */
    public static HashSyncBatch openHashSync(byte[] sealed, long cursor, EnvelopeContext context, PackageKey key) {
        byte[] plain = Envelope.open(key, context, sealed);
        ByteBuf in = Unpooled.wrappedBuffer(plain);
        try {
            long inner = i64(in, "cursor");
            if (inner != cursor) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed hash sync: cursor " + inner
                        + " (expected: the frame's " + cursor + ")");
            }
            int flags = u8(in, "flags");
            if ((flags & ~1) != 0) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed hash sync: flags " + flags + " (expected: 0 or 1)");
            }
            int count = u16(in, "count");
            if (count > dev.writeback.protocol.Message.HashSync.MAX_ENTRIES) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed hash sync: " + count + " entries (expected: at most "
                        + dev.writeback.protocol.Message.HashSync.MAX_ENTRIES + ")");
            }
            var entries = new ArrayList<HashSyncEntry>(count);
            for (int i = 0; i < count; i++) {
                String anchor = string(in, "anchor");
                String upn = string(in, "upn");
                HashSyncStatus status;
                try {
                    status = HashSyncStatus.ofWireValue(u8(in, "status"));
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "sealed hash sync: " + e.getMessage());
                }
                long stamp = i64(in, "stamp");
                if (status == HashSyncStatus.SUCCESS) {
                    byte[] salt = fixed(in, Pph1.SALT_BYTES, "salt");
                    byte[] hash = fixed(in, Pph1.HASH_BYTES, "hash");
                    entries.add(new HashSyncEntry(anchor, upn, status, stamp, salt, hash));
                    Arrays.fill(hash, (byte) 0);
                } else {
                    entries.add(HashSyncEntry.of(anchor, upn, status, stamp));
                }
            }
            end(in, "sealed hash sync");
            return new HashSyncBatch(cursor, flags == 1, entries);
        } finally {
            in.release();
            Arrays.fill(plain, (byte) 0);
        }
    }
}
