package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.ResultCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves an anchor to exactly one user inside the configured scopes, reading the account state in the same
 * search. Computers are never matched.
 */
final class AdLookup {
    static final String[] ATTRIBUTES = {"sAMAccountName", "displayName", "adminCount", "userAccountControl",
        "msDS-User-Account-Control-Computed", "pwdLastSet", "lockoutTime", "objectGUID", "userPrincipalName"};
    private static final Filter USERS = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", "user"),
            Filter.createNOTFilter(Filter.createEqualityFilter("objectClass", "computer")));

    private final List<String> scopes;
    private final int timeLimitSeconds;
    private final LookupMapping mapping;
    private final String[] profileAttributes;

    AdLookup(List<String> scopes, int timeLimitSeconds) {
        this(scopes, timeLimitSeconds, LookupMapping.defaults());
    }

    AdLookup(List<String> scopes, int timeLimitSeconds, LookupMapping mapping) {
        this.scopes = List.copyOf(scopes);
        this.timeLimitSeconds = Math.max(1, timeLimitSeconds);
        this.mapping = mapping;
        var attributes = new java.util.LinkedHashSet<>(List.of(ATTRIBUTES));
        attributes.add("objectGUID");
        attributes.addAll(mapping.contactAttributes());
        this.profileAttributes = attributes.toArray(String[]::new);
    }

    /**
     * The one user a typed id names inside the scopes: any attribute of the mapping's {@code match} list equal to
     * the id (an OR filter, so one search per scope), with the contact attributes read in the same search.
     */
    Optional<SearchResultEntry> findTyped(LDAPInterface directory, String userId) throws LDAPException, DirectoryException {
        var any = new ArrayList<Filter>();
        for (String attribute : mapping.match()) {
            any.add(Filter.createEqualityFilter(attribute, userId));
        }
        return searchEntry(directory, Filter.createORFilter(any), profileAttributes);
    }

    /** The mapping this lookup reads contact data with. */
    LookupMapping mapping() {
        return mapping;
    }

    Optional<Account> find(LDAPInterface directory, Anchor anchor) throws LDAPException, DirectoryException {
        return switch (anchor.type()) {
            case GUID -> findByGuid(directory, anchor);
            case UPN -> search(directory, Filter.createEqualityFilter("userPrincipalName", anchor.value()));
            case SAM -> search(directory, Filter.createEqualityFilter("sAMAccountName", anchor.value()));
            case DN -> read(directory, anchor.value());
            case ID -> findTyped(directory, anchor.value()).map(AdLookup::account);
        };
    }

    private Optional<Account> findByGuid(LDAPInterface directory, Anchor anchor) throws LDAPException, DirectoryException {
        byte[] guid;
        try {
            guid = ObjectGuid.parse(anchor.value());
        } catch (IllegalArgumentException e) {
            throw new DirectoryException(ResultCode.USER_NOT_FOUND, e.getMessage());
        }
        // ms-DS-ConsistencyGuid first: a migrated account's anchor differs from its objectGUID.
        Optional<Account> byConsistency = search(directory, Filter.createEqualityFilter("mS-DS-ConsistencyGuid", guid));
        return byConsistency.isPresent() ? byConsistency : search(directory, Filter.createEqualityFilter("objectGUID", guid));
    }

    private Optional<Account> search(LDAPInterface directory, Filter match) throws LDAPException, DirectoryException {
        return searchEntry(directory, match, ATTRIBUTES).map(AdLookup::account);
    }

    private Optional<SearchResultEntry> searchEntry(LDAPInterface directory, Filter match, String[] attributes)
            throws LDAPException, DirectoryException {
        Filter filter = Filter.createANDFilter(USERS, match);
        Map<String, SearchResultEntry> found = new LinkedHashMap<>();
        for (String scope : scopes) {
            var request = new SearchRequest(scope, SearchScope.SUB, filter, attributes);
            request.setSizeLimit(2);
            request.setTimeLimitSeconds(timeLimitSeconds);
            try {
                for (SearchResultEntry entry : directory.search(request).getSearchEntries()) {
                    found.put(entry.getParsedDN().toNormalizedString(), entry);
                }
            } catch (LDAPSearchException e) {
                if (e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.SIZE_LIMIT_EXCEEDED) {
                    throw multiple(e.getEntryCount());
                }
                if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.NO_SUCH_OBJECT) {
                    throw e;
                }
            }
        }
        if (found.size() > 1) {
            throw multiple(found.size());
        }
        return found.values().stream().findFirst();
    }

    private Optional<Account> read(LDAPInterface directory, String dnText) throws LDAPException, DirectoryException {
        DN dn;
        try {
            dn = new DN(dnText);
        } catch (LDAPException e) {
            throw new DirectoryException(ResultCode.USER_NOT_FOUND,
                    "dn anchor: not a distinguished name (expected: CN=...,DC=...)");
        }
        boolean inScope = false;
        for (String scope : scopes) {
            inScope |= dn.isDescendantOf(new DN(scope), true);
        }
        if (!inScope) {
            return Optional.empty();
        }
        var request = new SearchRequest(dn.toString(), SearchScope.BASE, USERS, ATTRIBUTES);
        request.setTimeLimitSeconds(timeLimitSeconds);
        try {
            return directory.search(request).getSearchEntries().stream().findFirst().map(AdLookup::account);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.NO_SUCH_OBJECT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static DirectoryException multiple(int count) {
        return new DirectoryException(ResultCode.MULTIPLE_MATCHES,
                "anchor matched " + (count > 1 ? count : "more than one") + " accounts in the configured scopes");
    }

    static Account account(SearchResultEntry e) {
        return new Account(e.getDN(), e.getAttributeValue("sAMAccountName"), e.getAttributeValue("displayName"),
                longValue(e, "adminCount"), longValue(e, "userAccountControl"),
                longValue(e, "msDS-User-Account-Control-Computed"), longValue(e, "pwdLastSet"),
                longValue(e, "lockoutTime"), e.getAttributeValueBytes("objectGUID"), e.getAttributeValue("userPrincipalName"));
    }

    private static long longValue(SearchResultEntry entry, String attribute) {
        Long value = entry.getAttributeValueAsLong(attribute);
        return value == null ? 0 : value;
    }
}
