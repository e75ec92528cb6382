package dev.writeback.agent.embedded;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ReadOnlyModifyRequest;
import dev.writeback.agent.directory.PolicyHints;
import dev.writeback.protocol.hashsync.Pph1;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns an AD-style modify into what the in-memory server stores: a quoted UTF-16LE {@code unicodePwd}
 * REPLACE (reset) or DELETE+ADD (change) becomes a hashed {@code userPassword}, a password-history entry and
 * a new {@code pwdLastSet}, after the domain policy checks. {@code lockoutTime: 0} unlocks and clears
 * {@code badPwdCount}; {@code pwdLastSet} accepts 0 and -1 only.
 */
final class PasswordWrites {

    private final InMemoryDirectoryServer server;
    private final EmbeddedDirectoryConfig config;
    private final AdEmulation emulation;
    private final Clock clock;

    PasswordWrites(InMemoryDirectoryServer server, EmbeddedDirectoryConfig config, AdEmulation emulation, Clock clock) {
        this.server = server;
        this.config = config;
        this.emulation = emulation;
        this.clock = clock;
    }

    /** Whether {@code request} writes {@code unicodePwd} (and so reads and rewrites the password history). */
    static boolean writesPassword(ReadOnlyModifyRequest request) {
        return request.getModifications().stream()
                .anyMatch(m -> m.getAttribute().getBaseName().equalsIgnoreCase("unicodePwd"));
    }

    /**
     * The modify the server should apply instead of {@code request}. For a password write, the caller holds the
     * entry's lock from this read until the returned request is applied (see {@link AdEmulation#processModifyRequest}).
     */
    ModifyRequest rewrite(ReadOnlyModifyRequest request, boolean privileged, boolean overTls) throws LDAPException {
        var passwordMods = new ArrayList<Modification>();
        var otherMods = new ArrayList<Modification>();
        for (Modification mod : request.getModifications()) {
            String name = mod.getAttribute().getBaseName().toLowerCase(Locale.ROOT);
            if (name.equals("unicodepwd")) {
                passwordMods.add(mod);
            } else if (AdEmulation.HIDDEN.contains(name)) {
                throw AdDiagnostics.accessDenied();
            } else {
                otherMods.add(mod);
            }
        }
        boolean change = isChange(passwordMods);
        if (!privileged && !(change && otherMods.isEmpty())) {
            throw AdDiagnostics.accessDenied();
        }
        if (!passwordMods.isEmpty() && !overTls) {
            throw AdDiagnostics.noTls();
        }
        Entry entry = server.getEntry(request.getDN());
        if (entry == null) {
            throw AdDiagnostics.noObject(config.baseDn());
        }
        var rewritten = new ArrayList<Modification>();
        Long pwdLastSet = rewriteOthers(otherMods, rewritten);
        if (!passwordMods.isEmpty()) {
            boolean hinted = Arrays.stream(request.getControls()).anyMatch(PasswordWrites::isPolicyHint);
            rewritten.addAll(setPassword(entry, passwordMods, change, hinted));
            if (pwdLastSet == null) {
                pwdLastSet = FileTime.of(clock.instant());
            }
        }
        if (pwdLastSet != null) {
            rewritten.add(new Modification(ModificationType.REPLACE, "pwdLastSet", Long.toString(pwdLastSet)));
        }
        Control[] controls = Arrays.stream(request.getControls()).filter(c -> !isPolicyHint(c)).toArray(Control[]::new);
        return new ModifyRequest(request.getDN(), rewritten, controls);
    }

    /** Copies non-password modifications; returns the pwdLastSet to write, or null to leave it alone. */
    private Long rewriteOthers(List<Modification> mods, List<Modification> out) throws LDAPException {
        Long pwdLastSet = null;
        for (Modification mod : mods) {
            String name = mod.getAttribute().getBaseName().toLowerCase(Locale.ROOT);
            if (name.equals("pwdlastset")) {
                pwdLastSet = switch (singleValue(mod)) {
                    case "0" -> 0L;
                    case "-1" -> FileTime.of(clock.instant());
                    default -> throw AdDiagnostics.badPwdLastSet();
                };
            } else if (name.equals("lockouttime")) {
                if (!"0".equals(singleValue(mod))) {
                    throw AdDiagnostics.badLockoutTime();
                }
                out.add(new Modification(ModificationType.REPLACE, "lockoutTime", "0"));
                out.add(new Modification(ModificationType.REPLACE, "badPwdCount", "0"));
            } else {
                out.add(mod);
            }
        }
        return pwdLastSet;
    }

    private List<Modification> setPassword(Entry entry, List<Modification> mods, boolean change, boolean hinted)
            throws LDAPException {
        boolean reset = mods.size() == 1 && mods.get(0).getModificationType() == ModificationType.REPLACE
                && mods.get(0).getRawValues().length == 1;
        if (!reset && !change) {
            throw AdDiagnostics.badPasswordModify();
        }
        char[] oldPassword = change ? decode(mods.get(0).getRawValues()[0].getValue()) : null;
        char[] newPassword = decode(mods.get(change ? 1 : 0).getRawValues()[0].getValue());
        byte[] oldUtf8 = change ? utf8Bytes(oldPassword) : new byte[0];
        try {
            if (change && !emulation.passwordMatches(entry, new ASN1OctetString(oldUtf8))) {
                emulation.recordBadPassword(entry);
                throw AdDiagnostics.wrongOldPassword();
            }
            List<String> history = historyOf(entry);
            checkPolicy(entry, newPassword, history, change, change || hinted);
            // The UTF-8 bytes belong to the modification until the server has hashed them into userPassword.
            byte[] utf8 = utf8Bytes(newPassword);
            var out = new ArrayList<Modification>();
            out.add(new Modification(ModificationType.REPLACE, "userPassword", utf8));
            out.add(new Modification(ModificationType.REPLACE, AdSchema.NT_HASH_ATTRIBUTE, Pph1.ntHash(newPassword)));
            var newHistory = PasswordHistory.push(history, newPassword, config.historyLength());
            out.add(newHistory.isEmpty()
                    ? new Modification(ModificationType.REPLACE, AdSchema.HISTORY_ATTRIBUTE)
                    : new Modification(ModificationType.REPLACE, AdSchema.HISTORY_ATTRIBUTE, newHistory.toArray(new String[0])));
            return out;
        } finally {
            AdEmulation.wipe(oldPassword);
            AdEmulation.wipe(newPassword);
            Arrays.fill(oldUtf8, (byte) 0);
        }
    }

    private void checkPolicy(Entry entry, char[] password, List<String> history, boolean change, boolean checkHistory)
            throws LDAPException {
        if (password.length < config.minPasswordLength()) {
            throw AdDiagnostics.policy(change, AdDiagnostics.tooShort(config.minPasswordLength()));
        }
        if (config.complexity() && !AdPasswordRules.meetsComplexity(password,
                entry.getAttributeValue("sAMAccountName"), entry.getAttributeValue("displayName"))) {
            throw AdDiagnostics.policy(change, AdDiagnostics.COMPLEXITY);
        }
        if (checkHistory && PasswordHistory.contains(history.subList(0, Math.min(history.size(), config.historyLength())), password)) {
            throw AdDiagnostics.policy(change, AdDiagnostics.HISTORY);
        }
    }

    private static List<String> historyOf(Entry entry) {
        String[] values = entry.getAttributeValues(AdSchema.HISTORY_ATTRIBUTE);
        return values == null ? List.of() : List.of(values);
    }

    private static boolean isChange(List<Modification> mods) {
        return mods.size() == 2
                && mods.get(0).getModificationType() == ModificationType.DELETE && mods.get(0).getRawValues().length == 1
                && mods.get(1).getModificationType() == ModificationType.ADD && mods.get(1).getRawValues().length == 1;
    }

    private static boolean isPolicyHint(Control control) {
        return PolicyHints.is(control.getOID());
    }

    private static String singleValue(Modification mod) throws LDAPException {
        String[] values = mod.getValues();
        if (mod.getModificationType() != ModificationType.REPLACE || values.length != 1) {
            throw AdDiagnostics.badPasswordModify();
        }
        return values[0];
    }

    /** Decodes {@code "password"} in UTF-16LE; anything else is refused as AD/Samba refuse it. */
    private static char[] decode(byte[] value) throws LDAPException {
        if (value.length < 4 || value.length % 2 != 0) {
            throw AdDiagnostics.notQuoted();
        }
        char[] chars = new char[value.length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ((value[2 * i] & 0xff) | (value[2 * i + 1] & 0xff) << 8);
        }
        try {
            if (chars[0] != '"' || chars[chars.length - 1] != '"') {
                throw AdDiagnostics.notQuoted();
            }
            return Arrays.copyOfRange(chars, 1, chars.length - 1);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static byte[] utf8Bytes(char[] password) {
        ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = Arrays.copyOfRange(buffer.array(), buffer.position(), buffer.limit());
        Arrays.fill(buffer.array(), (byte) 0);
        return bytes;
    }
}
