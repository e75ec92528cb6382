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
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ErrorType;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A generic LDAP directory (OpenLDAP, 389, others): reset and change use the password modify extended operation
 * (RFC 3062), with the old password for a change; unlock deletes {@code pwdAccountLockedTime}. Anchors:
 * {@code guid:} = entryUUID, {@code upn:} = mail, {@code sam:} = uid, {@code dn:} = the entry. Policy reasons
 * come from the password policy response control (draft-behera) when the server sends it.
 */
final class LdapWriter implements PasswordWriter {
    private final ConnectionSettings settings;
    private final DirectoryPool pool;
    private final Operations operations;

    LdapWriter(ConnectionSettings settings, DirectoryPool pool, Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.operations = new Operations(settings.name(), pool, clock);
    }

    @Override
    public Optional<String> locate(Anchor anchor) throws DirectoryException {
        return operations.locate(conn -> find(conn, anchor));
    }

    @Override
    public Outcome reset(Anchor anchor, Secret newPassword, boolean unlock, boolean forceChangeAtNextLogon) {
        return operations.run("reset", (conn, sent) -> {
            String dn = require(find(conn, anchor));
            passwordModify(conn, sent, dn, null, newPassword);
            if (unlock) {
                removeLock(conn, dn);
            }
            if (forceChangeAtNextLogon) {
                conn.modify(dn, new Modification(ModificationType.REPLACE, "pwdReset", "TRUE"));
            }
            return new Applied(dn, "unlocked=" + unlock + " mustChange=" + forceChangeAtNextLogon);
        });
    }

    @Override
    public Outcome change(Anchor anchor, Secret currentPassword, Secret newPassword) {
        return operations.run("change", (conn, sent) -> {
            String dn = require(find(conn, anchor));
            passwordModify(conn, sent, dn, currentPassword, newPassword);
            return new Applied(dn, "");
        });
    }

    @Override
    public Outcome unlock(Anchor anchor) {
        return operations.run("unlock", (conn, sent) -> {
            String dn = require(find(conn, anchor));
            sent.mark();
            removeLock(conn, dn);
            return new Applied(dn, "");
        });
    }

    private static void removeLock(LDAPConnection conn, String dn) throws LDAPException {
        try {
            conn.modify(dn, new Modification(ModificationType.DELETE, "pwdAccountLockedTime"));
        } catch (LDAPException e) {
            if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.NO_SUCH_ATTRIBUTE) {
                throw e;
            }
        }
    }

    private void passwordModify(LDAPConnection conn, Operations.Sent sent, String dn, Secret current, Secret next)
            throws DirectoryException {
        byte[] oldBytes = current == null ? null : current.toUtf8();
        byte[] newBytes = next.toUtf8();
        try {
            var request = new PasswordModifyExtendedRequest(dn, oldBytes, newBytes,
                    new Control[] {new DraftBeheraLDAPPasswordPolicy10RequestControl()});
            sent.mark();
            LDAPResult result = conn.processExtendedOperation(request);
            if (result.getResultCode() != com.unboundid.ldap.sdk.ResultCode.SUCCESS) {
                throw classify(new LDAPException(result), current != null);
            }
        } catch (LDAPException e) {
            if (!e.getResultCode().isConnectionUsable()) {
                throw Operations.unknown(e);
            }
            throw classify(e, current != null);
        } finally {
            if (oldBytes != null) {
                Arrays.fill(oldBytes, (byte) 0);
            }
            Arrays.fill(newBytes, (byte) 0);
        }
    }

    static DirectoryException classify(LDAPException e, boolean change) {
        String diagnostic = Operations.diagnostic(e);
        DraftBeheraLDAPPasswordPolicy10ResponseControl policy = null;
        try {
            policy = DraftBeheraLDAPPasswordPolicy10ResponseControl.get(e.toLDAPResult());
        } catch (LDAPException ignored) {
            // a malformed control names no rule; fall back to the result code
        }
        DraftBeheraLDAPPasswordPolicy10ErrorType error = policy == null ? null : policy.getErrorType();
        if (error != null) {
            return switch (error) {
                case PASSWORD_TOO_SHORT -> policyViolation(PolicyReason.TOO_SHORT, diagnostic);
                case INSUFFICIENT_PASSWORD_QUALITY -> policyViolation(PolicyReason.COMPLEXITY, diagnostic);
                case PASSWORD_IN_HISTORY -> policyViolation(PolicyReason.HISTORY, diagnostic);
                case PASSWORD_TOO_YOUNG -> policyViolation(PolicyReason.MIN_AGE, diagnostic);
                case ACCOUNT_LOCKED -> new DirectoryException(ResultCode.WRONG_CURRENT_PASSWORD, diagnostic);
                case PASSWORD_MOD_NOT_ALLOWED, MUST_SUPPLY_OLD_PASSWORD -> new DirectoryException(ResultCode.ACCESS_DENIED, diagnostic);
                default -> policyViolation(PolicyReason.OTHER, diagnostic);
            };
        }
        int rc = e.getResultCode().intValue();
        if (change && rc == 49) {
            return new DirectoryException(ResultCode.WRONG_CURRENT_PASSWORD, diagnostic);
        }
        if (rc == 19) {
            String text = String.valueOf(e.getDiagnosticMessage()).toLowerCase(Locale.ROOT);
            PolicyReason reason = text.contains("history") ? PolicyReason.HISTORY
                    : text.contains("too young") ? PolicyReason.MIN_AGE
                    : text.contains("quality") ? PolicyReason.COMPLEXITY
                    : text.contains("too short") ? PolicyReason.TOO_SHORT : PolicyReason.OTHER;
            return policyViolation(reason, diagnostic);
        }
        AdErrors.Classified c = AdErrors.classify(e);
        return new DirectoryException(c.code(), c.reason(), diagnostic, null);
    }

    private static DirectoryException policyViolation(PolicyReason reason, String diagnostic) {
        return new DirectoryException(ResultCode.POLICY_VIOLATION, reason, diagnostic, null);
    }

    private static String require(Optional<String> dn) throws DirectoryException {
        return dn.orElseThrow(() -> new DirectoryException(ResultCode.USER_NOT_FOUND, "anchor: no entry in the configured scopes"));
    }

    private Optional<String> find(LDAPInterface conn, Anchor anchor) throws LDAPException, DirectoryException {
        Filter match = switch (anchor.type()) {
            case GUID -> Filter.createEqualityFilter("entryUUID", entryUuid(anchor.value()));
            case UPN -> Filter.createEqualityFilter("mail", anchor.value());
            case SAM -> Filter.createEqualityFilter("uid", anchor.value());
            case DN -> null;
        };
        if (match == null) {
            DN dn = new DN(anchor.value());
            for (String scope : settings.scopes()) {
                if (dn.isDescendantOf(new DN(scope), true)) {
                    return Optional.ofNullable(conn.getEntry(dn.toString(), "1.1")).map(SearchResultEntry::getDN);
                }
            }
            return Optional.empty();
        }
        Map<String, String> found = new LinkedHashMap<>();
        boolean tooMany = false;
        for (String scope : settings.scopes()) {
            var request = new SearchRequest(scope, SearchScope.SUB, match, "1.1");
            request.setSizeLimit(2);
            try {
                for (SearchResultEntry entry : conn.search(request).getSearchEntries()) {
                    found.put(entry.getParsedDN().toNormalizedString(), entry.getDN());
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
            throw new DirectoryException(ResultCode.MULTIPLE_MATCHES, "anchor matched more than one entry");
        }
        return found.values().stream().findFirst();
    }

    /** entryUUID is RFC 4122 text; a base64 anchor is taken as the 16 bytes in RFC 4122 (big-endian) order. */
    private static String entryUuid(String value) throws DirectoryException {
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

    @Override
    public DirectoryHealth checkHealth() {
        return operations.checkHealth(settings.type());
    }

    @Override
    public String describe() {
        return "directory=" + settings.name() + " type=" + settings.type() + " urls=" + settings.urls()
                + " startTls=" + settings.startTls() + " bindDn=" + settings.bindDn() + " baseDn=" + settings.baseDn()
                + " scopes=" + settings.scopes() + " poolSize=" + settings.poolSize();
    }

    @Override
    public void close() {
        pool.close();
    }
}
