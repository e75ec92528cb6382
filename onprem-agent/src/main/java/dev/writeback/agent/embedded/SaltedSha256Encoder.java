package dev.writeback.agent.embedded;

import com.unboundid.ldap.listener.Base64PasswordEncoderOutputFormatter;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ReadOnlyEntry;
import com.unboundid.ldap.sdk.ResultCode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Hashes {@code userPassword} as {@code {SSHA256}} base64(SHA-256(password ‖ salt) ‖ salt) with a 16-byte salt, the
 * format of the LDAP SDK's {@code SaltedMessageDigestInMemoryPasswordEncoder}, so existing entries keep working.
 * Unlike that encoder, which shares one {@link MessageDigest} between all listener threads (a digest is not thread
 * safe: concurrent binds then compare against a mixed-up hash and fail, and a concurrent write can store a wrong
 * hash), every call here uses its own digest. Matching compares in constant time.
 */
final class SaltedSha256Encoder extends InMemoryPasswordEncoder {
    static final String PREFIX = "{SSHA256}";
    private static final int DIGEST_BYTES = 32;
    private static final int SALT_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    SaltedSha256Encoder() {
        super(PREFIX, Base64PasswordEncoderOutputFormatter.getInstance());
        sha256();   // fail at start, not at the first bind, if the platform lacks SHA-256
    }

    @Override
    protected byte[] encodePassword(byte[] clearPassword, ReadOnlyEntry entry, List<Modification> modifications) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] encoded = Arrays.copyOf(digest(clearPassword, salt), DIGEST_BYTES + SALT_BYTES);
        System.arraycopy(salt, 0, encoded, DIGEST_BYTES, SALT_BYTES);
        return encoded;
    }

    @Override
    protected void ensurePreEncodedPasswordAppearsValid(byte[] encoded, ReadOnlyEntry entry,
                                                        List<Modification> modifications) throws LDAPException {
        if (encoded.length <= DIGEST_BYTES) {
            throw new LDAPException(ResultCode.PARAM_ERROR, "pre-encoded " + PREFIX + " password: " + encoded.length
                    + " bytes (expected: at least " + (DIGEST_BYTES + 1) + ")");
        }
    }

    @Override
    protected boolean passwordMatches(byte[] clearPassword, byte[] encoded, ReadOnlyEntry entry) {
        if (encoded.length <= DIGEST_BYTES) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(encoded, DIGEST_BYTES, encoded.length);
        return MessageDigest.isEqual(digest(clearPassword, salt), Arrays.copyOf(encoded, DIGEST_BYTES));
    }

    @Override
    protected byte[] extractClearPassword(byte[] encoded, ReadOnlyEntry entry) throws LDAPException {
        throw new LDAPException(ResultCode.NOT_SUPPORTED, PREFIX + " passwords cannot be reversed");
    }

    @Override
    public void toString(StringBuilder buffer) {
        buffer.append("SaltedSha256Encoder(prefix=").append(PREFIX).append(", saltBytes=").append(SALT_BYTES).append(')');
    }

    private static byte[] digest(byte[] clearPassword, byte[] salt) {
        MessageDigest sha = sha256();
        sha.update(clearPassword);
        sha.update(salt);
        return sha.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256: unavailable (expected: every Java platform has it)", e);
        }
    }
}
