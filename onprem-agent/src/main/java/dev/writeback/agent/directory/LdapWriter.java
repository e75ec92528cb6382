package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import dev.writeback.agent.directory.LdapErrors.Step;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A generic LDAP directory (OpenLDAP with ppolicy, 389, others). Reset: the password modify extended operation
 * (RFC 3062) by the service account, then one modify for the unlock ({@code pwdAccountLockedTime} deleted) and
 * the must-change flag ({@code pwdReset}). Change: password modify with the old password, on the user's own bind
 * ({@code ldap.changeAs: user}) or by the service account ({@code service}). Unlock: delete
 * {@code pwdAccountLockedTime}. Every password operation carries the password policy request control, so the
 * server names the rule it applied (see {@link LdapErrors}). Anchors search the attributes of
 * {@link LdapDirectoryConfig}; {@code dn:} must lie inside a scope.
 */
final class LdapWriter implements PasswordWriter {
    private final ConnectionSettings settings;
    private final LdapDirectoryConfig ldap;
    private final Filter protectedAccounts;
    private final DirectoryPool pool;
    private final ServerSet userServers;
    private final Operations operations;
    private final LookupMapping mapping;
    private final String[] profileAttributes;

    LdapWriter(ConnectionSettings settings, LdapDirectoryConfig ldap, DirectoryPool pool, Clock clock)
            throws DirectoryConfigException {
        this(settings, ldap, LookupMapping.defaults(), pool, clock);
    }

    LdapWriter(ConnectionSettings settings, LdapDirectoryConfig ldap, LookupMapping mapping, DirectoryPool pool,
               Clock clock) throws DirectoryConfigException {
        this.settings = settings;
        this.ldap = ldap;
        this.mapping = mapping.forLdap(ldap);
        var attributes = new java.util.LinkedHashSet<>(List.of(LdapAccount.ATTRIBUTES));
        attributes.add("displayName");
        attributes.add("cn");
        attributes.add(ldap.guidAttribute());
        attributes.addAll(this.mapping.contactAttributes());
        this.profileAttributes = attributes.toArray(String[]::new);
        this.protectedAccounts = ldap.protectedAccounts();
        this.pool = pool;
        this.userServers = DirectoryPool.unboundServerSet(settings);
        this.operations = new Operations(settings.name(), pool, clock);
    }

    @Override
    public Optional<String> locate(Anchor anchor) throws DirectoryException {
        return operations.locate(conn -> lookup(conn, anchor).map(SearchResultEntry::getDN));
    }

    @Override
    public Outcome reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChangeAtNextLogon) {
        return operations.run(Operation.RESET, (conn, sent) -> {
            LdapAccount account = find(conn, anchor);
            passwordModify(conn, sent, account.dn(), null, newPassword, Step.RESET);
            // The password is set; the lock and the flag follow in one modify, so a rejected password never leaves
            // an unlocked account behind. slapd's ppolicy itself removes pwdAccountLockedTime, pwdFailureTime and
            // pwdReset on a successful password change, so the state is read again rather than assumed.
            LdapAccount after = reread(conn, account);
            var mods = new ArrayList<Modification>();
            boolean unlocking = unlock && account.locked();
            if (unlocking && after.locked()) {
                mods.add(new Modification(ModificationType.DELETE, "pwdAccountLockedTime"));
            } else if (!unlock && account.locked() && !after.locked()) {
                // unlock: false asks to keep the lock the server dropped with the password change
                mods.add(new Modification(ModificationType.ADD, "pwdAccountLockedTime", account.lockedTime()));
            }
            if (forceChangeAtNextLogon && !after.mustChange()) {
                mods.add(new Modification(ModificationType.REPLACE, "pwdReset", "TRUE"));
            } else if (!forceChangeAtNextLogon && after.mustChange()) {
                mods.add(new Modification(ModificationType.DELETE, "pwdReset"));
            }
            if (!mods.isEmpty()) {
                afterPassword(conn, account.dn(), mods);
            }
            return new Applied(account.dn(), "unlocked=" + unlocking + " mustChange=" + forceChangeAtNextLogon);
        });
    }

    @Override
    public Outcome change(Anchor anchor, Secret currentPassword, Secret newPassword) {
        return operations.run(Operation.CHANGE, (conn, sent) -> {
            LdapAccount account = find(conn, anchor);
            if (ldap.changeAsUser()) {
                changeOnUserBind(account.dn(), currentPassword, newPassword, sent);
            } else {
                if (account.locked()) {
                    // the service account's password modify would ignore the lockout a user's bind meets
                    throw new DirectoryException(ResultCode.ACCOUNT_LOCKED, "pwdAccountLockedTime="
                            + account.lockedTime() + " dn=" + account.dn() + " (changeAs: service)");
                }
                passwordModify(conn, sent, account.dn(), currentPassword, newPassword, Step.CHANGE_AS_SERVICE);
            }
            return new Applied(account.dn(), "changeAs=" + ldap.changeAs());
        });
    }

    @Override
    public Outcome unlock(Anchor anchor) {
        return operations.run(Operation.UNLOCK, (conn, sent) -> {
            LdapAccount account = find(conn, anchor);
            if (account.locked()) {
                sent.mark();
                removeLock(conn, account.dn());
            }
            return new Applied(account.dn(), "wasLocked=" + account.locked());
        });
    }

    /**
     * LOOKUP: the entry a typed id names (any attribute of the {@code lookup.match} list, by default the anchor
     * attributes and {@code mail}) inside the scopes, its ppolicy state ({@code pwdAccountLockedTime},
     * {@code pwdReset}), whether the protected filter matches it, its contact attributes, and the password policy
     * that applies to it ({@code pwdPolicySubentry}, else {@code ldap.defaultPolicyDn}).
     */
    @Override
    public Outcome lookup(String userId) {
        return operations.read(Operation.LOOKUP, conn -> {
            var any = new ArrayList<Filter>();
            for (String attribute : mapping.match()) {
                any.add(Filter.createEqualityFilter(attribute, userId));
            }
            SearchResultEntry entry = search(conn, Filter.createORFilter(any), profileAttributes, "typed id")
                    .orElseThrow(() -> new DirectoryException(ResultCode.USER_NOT_FOUND,
                            "typed id: no entry in scopes " + settings.scopes()));
            LdapAccount account = LdapAccount.of(entry);
            String guid = entry.getAttributeValue(ldap.guidAttribute());
            Anchor anchor = guid != null && !guid.isBlank()
                    ? new Anchor(Anchor.Type.GUID, guid) : new Anchor(Anchor.Type.DN, account.dn());
            String name = entry.getAttributeValue("displayName");
            if (name == null) {
                name = entry.getAttributeValue("cn");
            }
            boolean isProtected = protectedAccounts != null && !settings.allowProtectedAccounts()
                    && isProtected(conn, account.dn());
            return new AccountProfile(anchor, name == null ? "" : name, !account.disabled(), account.locked(),
                    account.mustChange(), isProtected, ActiveDirectoryWriter.values(entry, mapping.mail()),
                    ActiveDirectoryWriter.values(entry, mapping.otherMailbox()),
                    ActiveDirectoryWriter.values(entry, mapping.mobile()),
                    ActiveDirectoryWriter.values(entry, mapping.telephone()), policy(conn, account));
        });
    }

    /** The rules that apply to the entry, as the profile states them; ppolicy has no AD-style complexity rule. */
    private AccountProfile.Policy policy(LDAPConnection conn, LdapAccount account) throws LDAPException {
        String dn = account.policyDn().isEmpty() ? ldap.defaultPolicyDn() : account.policyDn();
        if (dn.isEmpty()) {
            return AccountProfile.Policy.UNKNOWN;
        }
        SearchResultEntry entry = conn.getEntry(dn, LdapPolicy.ATTRIBUTES);
        if (entry == null) {
            return AccountProfile.Policy.UNKNOWN;
        }
        LdapPolicy p = LdapPolicy.of(entry);
        return new AccountProfile.Policy(true, Math.min(Math.max(p.minLength(), 0), 0xffff), false,
                Math.min(Math.max(p.inHistory(), 0), 0xffff));
    }

    /** Binds as the user with the current password (lockout and must-change apply as on any logon), then changes. */
    private void changeOnUserBind(String dn, Secret current, Secret next, Operations.Sent sent) throws DirectoryException {
        LDAPConnection user;
        try {
            user = userServers.getConnection();
        } catch (LDAPException e) {
            throw new DirectoryException(ResultCode.DIRECTORY_UNAVAILABLE, PolicyReason.NONE,
                    "user bind connection: " + Operations.diagnostic(e), e);
        }
        try (user) {
            byte[] password = current.toUtf8();
            try {
                user.bind(new SimpleBindRequest(dn, password, new DraftBeheraLDAPPasswordPolicy10RequestControl()));
            } catch (LDAPException e) {
                throw LdapErrors.classify(e, Step.USER_BIND);
            } finally {
                Arrays.fill(password, (byte) 0);
            }
            passwordModify(user, sent, dn, current, next, Step.CHANGE_AS_USER);
        }
    }

    private void passwordModify(LDAPConnection conn, Operations.Sent sent, String dn, Secret current, Secret next,
                                Step step) throws DirectoryException {
        byte[] oldBytes = current == null ? null : current.toUtf8();
        byte[] newBytes = next.toUtf8();
        try {
            var request = new PasswordModifyExtendedRequest(dn, oldBytes, newBytes,
                    new Control[] {new DraftBeheraLDAPPasswordPolicy10RequestControl()});
            sent.mark();
            LDAPResult result = conn.processExtendedOperation(request);
            if (result.getResultCode() != com.unboundid.ldap.sdk.ResultCode.SUCCESS) {
                throw LdapErrors.classify(new LDAPException(result), step);
            }
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw Operations.unknown(e);
            }
            throw LdapErrors.classify(e, step);
        } finally {
            if (oldBytes != null) {
                Arrays.fill(oldBytes, (byte) 0);
            }
            Arrays.fill(newBytes, (byte) 0);
        }
    }

    /** The entry's ppolicy state after the password modify; the state before when the entry cannot be read. */
    private static LdapAccount reread(LDAPConnection conn, LdapAccount before) throws DirectoryException {
        try {
            SearchResultEntry entry = conn.getEntry(before.dn(), LdapAccount.ATTRIBUTES);
            return entry == null ? before : LdapAccount.of(entry);
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw Operations.unknown(e);
            }
            return before;
        }
    }

    /** The modify that follows a reset; if it fails the password is already set, and the diagnostic says so. */
    private static void afterPassword(LDAPConnection conn, String dn, List<Modification> mods) throws DirectoryException {
        try {
            conn.modify(dn, mods);
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw Operations.unknown(e);
            }
            AdErrors.Classified c = AdErrors.classify(e);
            throw new DirectoryException(c.code(), c.reason(), "the new password was set, but removing the lock or "
                    + "setting pwdReset failed (needs manage on pwdAccountLockedTime and pwdReset, see docs/ldap.md): "
                    + Operations.diagnostic(e), null);
        }
    }

    private static void removeLock(LDAPConnection conn, String dn) throws LDAPException {
        try {
            conn.modify(dn, new Modification(ModificationType.DELETE, "pwdAccountLockedTime"));
        } catch (LDAPException e) {
            if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.NO_SUCH_ATTRIBUTE) {
                throw e;   // no such attribute: unlocked in the meantime, which is what was asked
            }
        }
    }

    /** Finds the account and applies the agent's own refusals (administratively locked, protected). */
    private LdapAccount find(LDAPConnection conn, Anchor anchor) throws LDAPException, DirectoryException {
        LdapAccount account = lookup(conn, anchor).map(LdapAccount::of).orElseThrow(() -> new DirectoryException(
                ResultCode.USER_NOT_FOUND, "anchor " + anchor.type().name().toLowerCase(Locale.ROOT)
                + ": no entry in scopes " + settings.scopes()));
        if (account.disabled()) {
            throw new DirectoryException(ResultCode.ACCOUNT_DISABLED, "pwdAccountLockedTime="
                    + LdapAccount.ADMINISTRATIVELY_LOCKED + " (locked by an administrator) dn=" + account.dn());
        }
        if (protectedAccounts != null && !settings.allowProtectedAccounts() && isProtected(conn, account.dn())) {
            throw new DirectoryException(ResultCode.PROTECTED_ACCOUNT, "matches protectedFilter "
                    + ldap.protectedFilter() + " dn=" + account.dn() + " (allowProtectedAccounts: false)");
        }
        return account;
    }

    /** A base search with the protected filter: the server evaluates it, so memberOf and any matching rule work. */
    private boolean isProtected(LDAPConnection conn, String dn) throws LDAPException {
        var request = new SearchRequest(dn, SearchScope.BASE, protectedAccounts, "1.1");
        try {
            return conn.search(request).getEntryCount() > 0;
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.NO_SUCH_OBJECT) {
                return false;
            }
            throw e;
        }
    }

    private Optional<SearchResultEntry> lookup(LDAPInterface conn, Anchor anchor) throws LDAPException, DirectoryException {
        Filter match = switch (anchor.type()) {
            case GUID -> Filter.createEqualityFilter(ldap.guidAttribute(), guidValue(anchor.value()));
            case UPN -> Filter.createEqualityFilter(ldap.upnAttribute(), anchor.value());
            case SAM -> Filter.createEqualityFilter(ldap.samAttribute(), anchor.value());
            case DN -> null;
            case ID -> throw new DirectoryException(ResultCode.USER_NOT_FOUND, "id: anchors name no account (LOOKUP only)");
        };
        if (match == null) {
            return byDn(conn, anchor.value());
        }
        return search(conn, match, LdapAccount.ATTRIBUTES, "anchor " + anchor.type().name().toLowerCase(Locale.ROOT));
    }

    /** The one entry {@code match} finds inside the scopes; MULTIPLE_MATCHES for more than one. */
    private Optional<SearchResultEntry> search(LDAPInterface conn, Filter match, String[] attributes, String what)
            throws LDAPException, DirectoryException {
        Map<String, SearchResultEntry> found = new LinkedHashMap<>();
        boolean tooMany = false;
        for (String scope : settings.scopes()) {
            var request = new SearchRequest(scope, SearchScope.SUB, match, attributes);
            request.setSizeLimit(2);
            request.setTimeLimitSeconds((int) Math.max(1, settings.operationTimeout().toSeconds()));
            try {
                for (SearchResultEntry entry : conn.search(request).getSearchEntries()) {
                    found.put(entry.getParsedDN().toNormalizedString(), entry);
                }
            } catch (LDAPSearchException e) {
                if (e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.SIZE_LIMIT_EXCEEDED) {
                    tooMany = true;
                } else if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.NO_SUCH_OBJECT) {
                    throw e;
                }
            }
        }
        if (tooMany || found.size() > 1) {
            throw new DirectoryException(ResultCode.MULTIPLE_MATCHES, what
                    + ": more than one entry in scopes " + settings.scopes());
        }
        return found.values().stream().findFirst();
    }

    private Optional<SearchResultEntry> byDn(LDAPInterface conn, String text) throws LDAPException, DirectoryException {
        DN dn;
        try {
            dn = new DN(text);
        } catch (LDAPException e) {
            throw new DirectoryException(ResultCode.USER_NOT_FOUND, "dn anchor: not a distinguished name");
        }
        for (String scope : settings.scopes()) {
            if (dn.isDescendantOf(new DN(scope), false)) {
                return Optional.ofNullable(conn.getEntry(dn.toString(), LdapAccount.ATTRIBUTES));
            }
        }
        return Optional.empty();
    }

    /**
     * For {@code entryUUID} the anchor may be UUID text or base64 of the 16 bytes in RFC 4122 (big-endian) order;
     * another attribute (389's {@code nsUniqueId}, for one) gets the value as given.
     */
    private String guidValue(String value) throws DirectoryException {
        if (!"entryUUID".equalsIgnoreCase(ldap.guidAttribute())) {
            return value.strip();
        }
        try {
            return UUID.fromString(value.strip()).toString();
        } catch (IllegalArgumentException notText) {
            try {
                byte[] bytes = Base64.getDecoder().decode(value.strip());
                if (bytes.length != 16) {
                    throw new IllegalArgumentException("guid anchor length: " + bytes.length + " bytes (expected: 16)");
                }
                var buffer = ByteBuffer.wrap(bytes);
                return new UUID(buffer.getLong(), buffer.getLong()).toString();
            } catch (IllegalArgumentException e) {
                throw new DirectoryException(ResultCode.USER_NOT_FOUND, "guid anchor: not UUID text or base64 of 16 bytes");
            }
        }
    }

    /** The default password policy ({@code ldap.defaultPolicyDn}), empty when none is configured or readable. */
    Optional<LdapPolicy> defaultPolicy() {
        if (ldap.defaultPolicyDn().isEmpty()) {
            return Optional.empty();
        }
        try {
            return operations.locate(conn -> Optional.ofNullable(conn.getEntry(ldap.defaultPolicyDn(),
                    LdapPolicy.ATTRIBUTES)).map(LdapPolicy::of));
        } catch (DirectoryException e) {
            return Optional.empty();
        }
    }

    @Override
    public DirectoryHealth checkHealth() {
        DirectoryHealth health = operations.checkHealth(settings.type());
        if (!health.reachable() || ldap.defaultPolicyDn().isEmpty()) {
            return health;
        }
        String policy = defaultPolicy().map(LdapPolicy::summary).orElse("");
        String problem = policy.isEmpty() ? "password policy " + ldap.defaultPolicyDn()
                + " not readable by the service account" : "";
        // Password modify needs no policy-hints control: ppolicy applies history to every change and reset.
        return new DirectoryHealth(health.name(), health.type(), true, health.server(), health.latencyMillis(), true,
                problem, policy);
    }

    @Override
    public String describe() {
        return "directory=" + settings.name() + " type=" + settings.type() + " urls=" + settings.urls()
                + " startTls=" + settings.startTls() + " bindDn=" + settings.bindDn() + " baseDn=" + settings.baseDn()
                + " scopes=" + settings.scopes() + " upnAttribute=" + ldap.upnAttribute() + " samAttribute="
                + ldap.samAttribute() + " guidAttribute=" + ldap.guidAttribute() + " protectedFilter="
                + (ldap.protectedFilter().isEmpty() ? "(none)" : ldap.protectedFilter()) + " allowProtectedAccounts="
                + settings.allowProtectedAccounts() + " changeAs=" + ldap.changeAs() + " defaultPolicyDn="
                + (ldap.defaultPolicyDn().isEmpty() ? "(none)" : ldap.defaultPolicyDn()) + " poolSize=" + settings.poolSize();
    }

    @Override
    public void close() {
        pool.close();
    }
}
