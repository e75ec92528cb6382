package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SearchResultEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the PDC emulator the way MS-ADCAP describes: rootDSE {@code defaultNamingContext}, its
 * {@code fSMORoleOwner} (the NTDS Settings object of the PDC), then the parent server object's
 * {@code dNSHostName}. Password writes and unlocks land there first, so there is no "still locked on another
 * DC" race.
 */
final class PdcLocator {
    private PdcLocator() {}

    /** The PDC's host name, read over a connection to any DC. */
    static Optional<String> pdcHost(LDAPConnection connection) throws LDAPException {
        RootDSE root = connection.getRootDSE();
        String domain = root == null ? null : root.getAttributeValue("defaultNamingContext");
        if (domain == null) {
            return Optional.empty();
        }
        SearchResultEntry head = connection.getEntry(domain, "fSMORoleOwner");
        String owner = head == null ? null : head.getAttributeValue("fSMORoleOwner");
        if (owner == null) {
            return Optional.empty();
        }
        DN server = new DN(owner).getParent();
        SearchResultEntry serverEntry = server == null ? null : connection.getEntry(server.toString(), "dNSHostName");
        return Optional.ofNullable(serverEntry == null ? null : serverEntry.getAttributeValue("dNSHostName"));
    }

    /** The URLs with those whose host is the PDC first, otherwise unchanged. */
    static List<LDAPURL> preferHost(List<LDAPURL> urls, String host) {
        var first = new ArrayList<LDAPURL>();
        var rest = new ArrayList<LDAPURL>();
        for (LDAPURL url : urls) {
            (url.getHost().equalsIgnoreCase(host) ? first : rest).add(url);
        }
        first.addAll(rest);
        return first;
    }
}
