package dev.writeback.agent.directory;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import dev.writeback.protocol.AccountProfile;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active Directory (and Samba AD, and the embedded directory): reset = one modify REPLACE {@code unicodePwd}
 * with policy hints; change = one modify DELETE old + ADD new as the service account; unlock = REPLACE
 * {@code lockoutTime: 0}. Lookup and write run on the same pooled connection, so they hit the same DC.
 */
final class ActiveDirectoryWriter implements PasswordWriter {
    private static final Logger logger = LoggerFactory.getLogger(ActiveDirectoryWriter.class);
    /** BER of PolicyHintsRequestValue ::= SEQUENCE { Flags INTEGER (1) } (MS-ADTS 3.1.1.3.4.1.27). */
    private static final byte[] POLICY_HINTS_VALUE = {0x30, 0x03, 0x02, 0x01, 0x01};

    private final ConnectionSettings settings;
    private final DirectoryPool pool;
    private final AdLookup lookup;
    private final Operations operations;
    private final Clock clock;
    private volatile PasswordSetListener passwordSet;

    ActiveDirectoryWriter(ConnectionSettings settings, DirectoryPool pool, Clock clock) {
        this(settings, LookupMapping.defaults(), pool, clock);
    }

    ActiveDirectoryWriter(ConnectionSettings settings, LookupMapping mapping, DirectoryPool pool, Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.clock = clock;
        this.lookup = new AdLookup(settings.scopes(), (int) settings.operationTimeout().toSeconds(), mapping);
        this.operations = new Operations(settings.name(), pool, clock);
    }

    /** Who hears of each password this writer sets (hash sync), or null. */
    void onPasswordSet(PasswordSetListener listener) {
        this.passwordSet = listener;
    }

    /** After a successful set: tells the listener, which must not make the operation fail. */
    private void passwordSet(Account account, Secret newPassword, boolean mustChange) {
        PasswordSetListener l = passwordSet;
        String anchor = account.syncAnchor();
        if (l == null || anchor == null) {
            return;
        }
        try {
            l.passwordSet(settings.name(), anchor, account.upn() == null ? "" : account.upn(), newPassword, mustChange);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ActiveDirectoryWriter.class).warn(
                    "AGT-622 hash sync push failed directory={} dn={}: {}", settings.name(), account.dn(), e.toString());
        }
    }

    @Override
    public Optional<String> locate(Anchor anchor) throws DirectoryException {
        return operations.locate(conn -> lookup.find(conn, anchor).map(Account::dn));
    }

    @Override
    public Outcome reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChangeAtNextLogon) {
        return operations.run(Operation.RESET, (conn, sent) -> {
            Account account = find(conn, anchor);
            Optional<String> hints = pool.policyHints(conn);
            byte[] value = UnicodePwd.encode(newPassword);
            try {
                // One modify: the password, the unlock and the must-change flag apply together or not at all, so a
                // rejected password never leaves an unlocked account behind, and the PDC sees a single write.
                var mods = new ArrayList<Modification>();
                mods.add(new Modification(ModificationType.REPLACE, "unicodePwd", value));
                boolean unlocking = unlock && account.isLocked();
                if (unlocking) {
                    mods.add(new Modification(ModificationType.REPLACE, "lockoutTime", "0"));
                }
                if (forceChangeAtNextLogon) {
                    mods.add(new Modification(ModificationType.REPLACE, "pwdLastSet", "0"));
                }
                Control[] controls = hints.map(oid -> new Control[] {
                    new Control(oid, true, new ASN1OctetString(POLICY_HINTS_VALUE))}).orElse(new Control[0]);
                write(conn, sent, new ModifyRequest(account.dn(), mods, controls), account, newPassword, hints.isPresent());
                passwordSet(account, newPassword, forceChangeAtNextLogon);
                return new Applied(account.dn(), "unlocked=" + unlocking + " mustChange=" + forceChangeAtNextLogon
                        + " historyEnforced=" + hints.isPresent());
            } finally {
                Arrays.fill(value, (byte) 0);
            }
        });
    }

    @Override
    public Outcome change(Anchor anchor, Secret currentPassword, Secret newPassword) {
        return operations.run(Operation.CHANGE, (conn, sent) -> {
            Account account = find(conn, anchor);
            byte[] oldValue = UnicodePwd.encode(currentPassword);
            byte[] newValue = UnicodePwd.encode(newPassword);
            try {
                var request = new ModifyRequest(account.dn(), List.of(
                        new Modification(ModificationType.DELETE, "unicodePwd", oldValue),
                        new Modification(ModificationType.ADD, "unicodePwd", newValue)));
                write(conn, sent, request, account, newPassword, true);
                passwordSet(account, newPassword, false);
                return new Applied(account.dn(), "");
            } finally {
                Arrays.fill(oldValue, (byte) 0);
                Arrays.fill(newValue, (byte) 0);
            }
        });
    }

    @Override
    public Outcome unlock(Anchor anchor) {
        return operations.run(Operation.UNLOCK, (conn, sent) -> {
            Account account = find(conn, anchor);
            var request = new ModifyRequest(account.dn(), new Modification(ModificationType.REPLACE, "lockoutTime", "0"));
            write(conn, sent, request, account, null, false);
            return new Applied(account.dn(), "wasLocked=" + account.isLocked());
        });
    }

    /**
     * LOOKUP: the account a typed id names (userPrincipalName, sAMAccountName or mail by default, see
     * {@link LookupMapping}) inside the scopes, its state from userAccountControl, lockoutTime, pwdLastSet and
     * adminCount, its contact attributes, and the domain password policy read from the domain head.
     */
    @Override
    public Outcome lookup(String userId) {
        return operations.read(Operation.LOOKUP, conn -> {
            SearchResultEntry entry = lookup.findTyped(conn, userId).orElseThrow(() -> new DirectoryException(
                    ResultCode.USER_NOT_FOUND, "typed id: no user in scopes " + settings.scopes()));
            Account account = AdLookup.account(entry);
            byte[] guid = entry.getAttributeValueBytes("objectGUID");
            Anchor anchor = guid != null && guid.length == 16
                    ? new Anchor(Anchor.Type.GUID, java.util.Base64.getEncoder().encodeToString(guid))
                    : new Anchor(Anchor.Type.DN, account.dn());
            SearchResultEntry head = conn.getEntry(settings.baseDn(), DomainPolicy.ATTRIBUTES);
            AccountProfile.Policy policy = AccountProfile.Policy.UNKNOWN;
            if (head != null) {
                DomainPolicy p = DomainPolicy.of(head);
                policy = new AccountProfile.Policy(true, Math.min(p.minLength(), 0xffff), p.complexity(),
                        Math.min(p.historyLength(), 0xffff));
            }
            LookupMapping m = lookup.mapping();
            return new AccountProfile(anchor, account.displayName() == null ? "" : account.displayName(),
                    !account.isDisabled(), account.isLocked(), account.pwdLastSet() == 0,
                    account.isProtected() && !settings.allowProtectedAccounts(), values(entry, m.mail()),
                    values(entry, m.otherMailbox()), values(entry, m.mobile()), values(entry, m.telephone()), policy);
        });
    }

    /** An attribute's values, at most {@link AccountProfile#MAX_VALUES}, each cut to a sane length. */
    static List<String> values(SearchResultEntry entry, String attribute) {
        String[] values = entry.getAttributeValues(attribute);
        if (values == null) {
            return List.of();
        }
        return Arrays.stream(values).filter(v -> !v.isBlank()).limit(AccountProfile.MAX_VALUES)
                .map(v -> v.length() > 256 ? v.substring(0, 256) : v).toList();
    }

    /**
     * Finds the account and applies the agent's own refusals. A disabled account is refused for every operation:
     * self-service must not hand a working password (or an unlocked account) to an account an administrator
     * switched off.
     */
    private Account find(LDAPConnection conn, Anchor anchor) throws LDAPException, DirectoryException {
        Account account = lookup.find(conn, anchor).orElseThrow(() -> new DirectoryException(ResultCode.USER_NOT_FOUND,
                "anchor " + anchor.type().name().toLowerCase(Locale.ROOT) + ": no user in scopes " + settings.scopes()));
        if (account.isProtected() && !settings.allowProtectedAccounts()) {
            throw new DirectoryException(ResultCode.PROTECTED_ACCOUNT, "adminCount=1 dn=" + account.dn()
                    + " (allowProtectedAccounts: false)");
        }
        if (account.isDisabled()) {
            throw new DirectoryException(ResultCode.ACCOUNT_DISABLED, "userAccountControl=0x"
                    + Long.toHexString(account.userAccountControl()) + " dn=" + account.dn());
        }
        return account;
    }

    /** Sends the modify and turns a rejection into a classified DirectoryException naming the policy rule. */
    private void write(LDAPConnection conn, Operations.Sent sent, ModifyRequest request, Account account, Secret password,
                       boolean historyApplies) throws DirectoryException {
        try {
            sent.mark();
            if (password != null) {
                SendBufferWipe.beforePasswordWrite(conn);
            }
            conn.modify(request);
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw Operations.unknown(e);
            }
            AdErrors.Classified c = AdErrors.classify(e);
            PolicyReason reason = c.reason();
            if (c.code() == ResultCode.POLICY_VIOLATION && reason == PolicyReason.NONE) {
                // Name the rule from the domain policy only for AD's password-restriction code; any other
                // constraint violation has a cause the policy cannot explain.
                boolean restriction = AdErrors.PASSWORD_RESTRICTION.equals(AdErrors.win32Code(e.getDiagnosticMessage()));
                reason = password == null || !restriction ? PolicyReason.OTHER
                        : explain(conn, account, password, historyApplies);
            }
            throw new DirectoryException(c.code(), reason, Operations.diagnostic(e), null);
        } finally {
            if (password != null) {
                SendBufferWipe.afterPasswordWrite();
            }
        }
    }

    /** Windows sends no text with 0000052D; name the rule from the domain policy (a cheap base read). */
    private PolicyReason explain(LDAPConnection conn, Account account, Secret password, boolean historyApplies) {
        try {
            SearchResultEntry head = conn.getEntry(settings.baseDn(), DomainPolicy.ATTRIBUTES);
            return head == null ? PolicyReason.OTHER
                    : DomainPolicy.of(head).explain(password, account, historyApplies, clock.instant());
        } catch (LDAPException e) {
            return PolicyReason.OTHER;
        }
    }

    @Override
    public DirectoryHealth checkHealth() {
        return operations.checkHealth(settings.type());
    }

    @Override
    public String describe() {
        return "directory=" + settings.name() + " type=" + settings.type() + " urls=" + settings.urls()
                + " startTls=" + settings.startTls() + " bindDn=" + settings.bindDn() + " baseDn=" + settings.baseDn()
                + " scopes=" + settings.scopes() + " trust=" + trustDescription()
                + " verifyHostname=" + settings.verifyHostname() + " allowProtectedAccounts="
                + settings.allowProtectedAccounts() + " preferPdcEmulator=" + settings.preferPdcEmulator()
                + " poolSize=" + settings.poolSize();
    }

    private String trustDescription() {
        if (settings.trustCaFile() != null && !settings.trustCaFile().isBlank()) {
            return "ca-file:" + settings.trustCaFile();
        }
        if (settings.trustFingerprint() != null && !settings.trustFingerprint().isBlank()) {
            return "pinned:" + settings.trustFingerprint();
        }
        return settings.trustCertificate() != null ? "embedded-certificate" : "jvm-default";
    }

    @Override
    public void close() {
        pool.close();
    }
}
