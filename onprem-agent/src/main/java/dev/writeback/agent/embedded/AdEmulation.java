package dev.writeback.agent.embedded;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.listener.LDAPListenerClientConnection;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedCompareRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedExtendedRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindResult;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ReadOnlyEntry;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;

/**
 * Makes the in-memory server answer like an Active Directory domain controller for accounts and passwords:
 * TLS-only binds and password writes, quoted UTF-16LE {@code unicodePwd}, the domain password policy, lockout
 * through {@code badPwdCount}/{@code lockoutTime}, {@code pwdLastSet} semantics, and AD's diagnostic texts.
 * Password writes are delegated to {@link PasswordWrites}.
 */
final class AdEmulation extends InMemoryOperationInterceptor {
    static final Set<String> HIDDEN = Set.of("userpassword", "unicodepwd", AdSchema.HISTORY_ATTRIBUTE.toLowerCase(Locale.ROOT),
            AdSchema.NT_HASH_ATTRIBUTE.toLowerCase(Locale.ROOT));
    static final String COMPUTED_UAC = "msDS-User-Account-Control-Computed";
    static final int UF_ACCOUNTDISABLE = 0x2;
    static final int UF_LOCKOUT = 0x10;
    static final int UF_DONT_EXPIRE_PASSWD = 0x10000;
    static final int UF_PASSWORD_EXPIRED = 0x800000;

    private final EmbeddedDirectoryConfig config;
    private final DN serviceAccount;
    private final InMemoryPasswordEncoder encoder;
    private final Clock clock;
    private final EntryStore store;
    // Each listener connection runs its requests on its own thread, so the bound identity can live there.
    private final ThreadLocal<DN> boundDn = new ThreadLocal<>();
    private final EntryLocks locks = new EntryLocks();
    private volatile InMemoryDirectoryServer server;
    private volatile PasswordWrites passwordWrites;

    AdEmulation(EmbeddedDirectoryConfig config, DN serviceAccount, InMemoryPasswordEncoder encoder, Clock clock,
                EntryStore store) {
        this.config = config;
        this.serviceAccount = serviceAccount;
        this.encoder = encoder;
        this.clock = clock;
        this.store = store;
    }

    void attach(InMemoryDirectoryServer server) {
        this.server = server;
        this.passwordWrites = new PasswordWrites(server, config, this, clock);
    }

    // ---- bind: TLS only, lockout, disabled, must-change ----

    @Override
    public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest op) throws LDAPException {
        boundDn.remove();
        SimpleBindRequest request = op.getRequest();
        if (request.getBindDN().isEmpty()) {
            return;
        }
        if (!overTls()) {
            throw AdDiagnostics.bindNeedsTls();
        }
        Entry entry = resolveBindEntry(request.getBindDN());
        if (entry == null) {
            throw AdDiagnostics.bindFailed("52e");
        }
        if (!entry.getDN().equals(request.getBindDN())) {
            op.setRequest(new SimpleBindRequest(entry.getDN(), request.getPassword().getValue(), request.getControls()));
        }
        if (longValue(entry, "lockoutTime") > 0) {
            throw AdDiagnostics.bindFailed("775");
        }
        if (!passwordMatches(entry, request.getPassword())) {
            recordBadPassword(entry);
            throw AdDiagnostics.bindFailed("52e");
        }
        long uac = longValue(entry, "userAccountControl");
        if ((uac & UF_ACCOUNTDISABLE) != 0) {
            throw AdDiagnostics.bindFailed("533");
        }
        if (entry.hasAttribute("pwdLastSet") && longValue(entry, "pwdLastSet") == 0 && (uac & UF_DONT_EXPIRE_PASSWD) == 0) {
            throw AdDiagnostics.bindFailed("773");
        }
        if (longValue(entry, "badPwdCount") > 0) {
            server.modify(entry.getDN(), new Modification(ModificationType.REPLACE, "badPwdCount", "0"));
            store.record(entry.getDN());
        }
    }

    @Override
    public void processSimpleBindResult(InMemoryInterceptedSimpleBindResult op) {
        if (op.getResult().getResultCode() == ResultCode.SUCCESS && !op.getRequest().getBindDN().isEmpty()) {
            try {
                boundDn.set(new DN(op.getRequest().getBindDN()));
            } catch (LDAPException e) {
                boundDn.remove();
            }
        }
    }

    /** AD also accepts a userPrincipalName as the bind name; handy for {@code ldapwhoami -D ada@corp.example}. */
    private Entry resolveBindEntry(String bindName) throws LDAPException {
        if (!bindName.contains("=") && bindName.contains("@")) {
            var found = server.search(config.baseDn(), SearchScope.SUB,
                    Filter.createEqualityFilter("userPrincipalName", bindName));
            return found.getEntryCount() == 1 ? found.getSearchEntries().get(0) : null;
        }
        try {
            return server.getEntry(bindName);
        } catch (LDAPException e) {
            return null;
        }
    }

    boolean passwordMatches(Entry entry, ASN1OctetString password) throws LDAPException {
        Attribute stored = entry.getAttribute("userPassword");
        if (stored == null) {
            return false;
        }
        for (ASN1OctetString value : stored.getRawValues()) {
            if (encoder.clearPasswordMatchesEncodedPassword(password, value, new ReadOnlyEntry(entry))) {
                return true;
            }
        }
        return false;
    }

    /** Counts a wrong password and locks the account at the threshold, as the PDC does. */
    void recordBadPassword(Entry entry) throws LDAPException {
        var lock = locks.lock(entry.getDN());
        try {
            Entry current = server.getEntry(entry.getDN());   // the count as of now, not as of the caller's read
            if (current != null) {
                countBadPassword(current);
            }
        } finally {
            lock.unlock();
        }
    }

    private void countBadPassword(Entry entry) throws LDAPException {
        long count = longValue(entry, "badPwdCount") + 1;
        var mods = new ArrayList<Modification>();
        mods.add(new Modification(ModificationType.REPLACE, "badPwdCount", Long.toString(count)));
        if (config.lockoutThreshold() > 0 && count >= config.lockoutThreshold()) {
            mods.add(new Modification(ModificationType.REPLACE, "lockoutTime",
                    Long.toString(FileTime.of(clock.instant()))));
        }
        server.modify(entry.getDN(), mods);
        store.record(entry.getDN());
    }

    // ---- writes: authenticated, privileged unless it is a password change ----

    /**
     * A password write reads the entry's history and policy state and writes a new history; two of them on one
     * account must not interleave, or both pass the history check and one history entry is lost. So it is applied
     * here, under the entry's lock held from the read to the write, and answered here. The interceptor contract
     * allows only one way to answer without the server applying the request again: an {@link LDAPException},
     * which the server sends as the result, here a SUCCESS one. (Holding a lock from this method until
     * {@link #processModifyResult} would not be safe: that method is not called when this one throws, nor when the
     * server's own handler fails unexpectedly, and the lock would leak.) Other modifies take the usual path.
     */
    @Override
    public void processModifyRequest(InMemoryInterceptedModifyRequest op) throws LDAPException {
        DN bound = requireBound();
        if (!PasswordWrites.writesPassword(op.getRequest())) {
            op.setRequest(passwordWrites.rewrite(op.getRequest(), isPrivileged(bound), overTls()));
            return;
        }
        LDAPResult result;
        var lock = locks.lock(op.getRequest().getDN());
        try {
            result = server.modify(passwordWrites.rewrite(op.getRequest(), isPrivileged(bound), overTls()));
        } finally {
            lock.unlock();
        }
        if (result.getResultCode() == ResultCode.SUCCESS) {
            store.record(op.getRequest().getDN());
        }
        throw new LDAPException(result);
    }

    @Override
    public void processModifyResult(InMemoryInterceptedModifyResult op) {
        recordOnSuccess(op.getResult(), op.getRequest().getDN(), op::setResult);
    }

    @Override
    public void processAddRequest(InMemoryInterceptedAddRequest op) throws LDAPException {
        requirePrivileged();
        Entry entry = op.getRequest().toEntry();
        for (Attribute attribute : entry.getAttributes()) {
            if (HIDDEN.contains(attribute.getBaseName().toLowerCase(Locale.ROOT))) {
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                        "00002035: create the account first, then set its password with unicodePwd over TLS");
            }
        }
        AdEntries.prepareNew(entry, clock);
        op.setRequest(new AddRequest(entry, op.getRequest().getControls()));
    }

    @Override
    public void processAddResult(InMemoryInterceptedAddResult op) {
        recordOnSuccess(op.getResult(), op.getRequest().getDN(), op::setResult);
    }

    @Override
    public void processDeleteRequest(InMemoryInterceptedDeleteRequest op) throws LDAPException {
        requirePrivileged();
    }

    @Override
    public void processDeleteResult(InMemoryInterceptedDeleteResult op) {
        recordOnSuccess(op.getResult(), op.getRequest().getDN(), op::setResult);
    }

    @Override
    public void processModifyDNRequest(InMemoryInterceptedModifyDNRequest op) throws LDAPException {
        requirePrivileged();
    }

    @Override
    public void processModifyDNResult(InMemoryInterceptedModifyDNResult op) {
        if (op.getResult().getResultCode() != ResultCode.SUCCESS) {
            return;
        }
        try {
            store.compact();   // a rename moves a whole subtree: written as a new snapshot, not entry by entry
        } catch (IOException e) {
            op.setResult(new LDAPResult(op.getMessageID(), ResultCode.OTHER,
                    "00000056: the change could not be written to the data directory", null, (String[]) null, null));
        }
    }

    // ---- reads: no anonymous searches beyond the rootDSE, no password attributes ----

    @Override
    public void processSearchRequest(InMemoryInterceptedSearchRequest op) throws LDAPException {
        boolean rootDse = op.getRequest().getBaseDN().isEmpty() && op.getRequest().getScope() == SearchScope.BASE;
        if (!rootDse && boundDn.get() == null) {
            throw AdDiagnostics.searchNeedsBind();
        }
    }

    @Override
    public void processSearchEntry(InMemoryInterceptedSearchEntry op) {
        Entry entry = op.getSearchEntry().duplicate();
        for (String hidden : HIDDEN) {
            entry.removeAttribute(hidden);
        }
        boolean wantsComputed = op.getRequest().getAttributeList().stream().anyMatch(COMPUTED_UAC::equalsIgnoreCase);
        if (wantsComputed && entry.hasAttribute("userAccountControl")) {
            entry.setAttribute(COMPUTED_UAC, Long.toString(computedUac(entry)));
        }
        op.setSearchEntry(entry);
    }

    @Override
    public void processCompareRequest(InMemoryInterceptedCompareRequest op) throws LDAPException {
        if (HIDDEN.contains(op.getRequest().getAttributeName().toLowerCase(Locale.ROOT))) {
            throw AdDiagnostics.accessDenied();
        }
    }

    @Override
    public void processExtendedRequest(InMemoryInterceptedExtendedRequest op) throws LDAPException {
        if (PasswordModifyExtendedRequest.PASSWORD_MODIFY_REQUEST_OID.equals(op.getRequest().getOID())) {
            throw AdDiagnostics.unsupportedExtendedOperation();   // AD has no RFC 3062
        }
    }

    // ---- helpers ----

    private static long computedUac(Entry entry) {
        long uac = longValue(entry, "userAccountControl");
        long computed = 0;
        if (longValue(entry, "lockoutTime") > 0) {
            computed |= UF_LOCKOUT;   // lockoutDuration is "until an administrator unlocks"
        }
        if (entry.hasAttribute("pwdLastSet") && longValue(entry, "pwdLastSet") == 0 && (uac & UF_DONT_EXPIRE_PASSWD) == 0) {
            computed |= UF_PASSWORD_EXPIRED;
        }
        return computed;
    }

    static long longValue(Entry entry, String attribute) {
        Long value = entry.getAttributeValueAsLong(attribute);
        return value == null ? 0 : value;
    }

    /** Makes a successful write durable before it is answered; if that fails, the answer says so. */
    private void recordOnSuccess(LDAPResult result, String dn, Consumer<LDAPResult> answer) {
        if (result.getResultCode() != ResultCode.SUCCESS) {
            return;
        }
        try {
            store.record(dn);
        } catch (LDAPException e) {
            answer.accept(new LDAPResult(result.getMessageID(), e.getResultCode(), e.getDiagnosticMessage(), null,
                    (String[]) null, null));
        }
    }

    private DN requireBound() throws LDAPException {
        DN bound = boundDn.get();
        if (bound == null) {
            throw AdDiagnostics.notAuthenticated();
        }
        return bound;
    }

    private void requirePrivileged() throws LDAPException {
        if (!isPrivileged(requireBound())) {
            throw AdDiagnostics.accessDenied();
        }
    }

    /** The service account (delegated Reset Password) and protected administrators may administer accounts. */
    private boolean isPrivileged(DN bound) throws LDAPException {
        if (bound.equals(serviceAccount)) {
            return true;
        }
        Entry entry = server.getEntry(bound.toString());
        return entry != null && longValue(entry, "adminCount") == 1;
    }

    private static boolean overTls() {
        return Thread.currentThread() instanceof LDAPListenerClientConnection connection
                && connection.getSocket() instanceof SSLSocket;
    }

    static void wipe(char[] chars) {
        if (chars != null) {
            Arrays.fill(chars, '\0');
        }
    }
}
