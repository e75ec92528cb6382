package dev.writeback.agent.embedded;

import com.unboundid.ldap.sdk.Entry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.UUID;

/** What a domain controller fills in when an account is created: objectGUID, userAccountControl, pwdLastSet. */
final class AdEntries {
    private static final String NORMAL_ACCOUNT = "512";

    private AdEntries() {}

    static void prepareNew(Entry entry, Clock clock) {
        if (!entry.hasObjectClass("user")) {
            return;
        }
        if (!entry.hasAttribute("objectGUID")) {
            entry.setAttribute("objectGUID", newGuid());
        }
        if (!entry.hasAttribute("userAccountControl")) {
            entry.setAttribute("userAccountControl", NORMAL_ACCOUNT);
        }
        if (!entry.hasAttribute("pwdLastSet")) {
            long set = entry.hasAttribute("userPassword") ? FileTime.of(clock.instant()) : 0;
            entry.setAttribute("pwdLastSet", Long.toString(set));
        }
    }

    /** A random GUID in AD's byte layout (the first three fields little-endian). */
    private static byte[] newGuid() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer be = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        byte[] b = be.array();
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    }
}
