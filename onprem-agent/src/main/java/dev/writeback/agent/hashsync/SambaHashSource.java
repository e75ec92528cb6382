package dev.writeback.agent.hashsync;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import dev.writeback.protocol.LogSafe;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samba AD as a hash source: the agent runs on a Samba DC (as root, as {@code samba-tool} requires) and drives
 * {@code samba-tool user syncpasswords}, which reads the domain's changes with the DirSync control over the DC's
 * privileged local socket and prints, for each changed user, the attributes asked for, the NT hash
 * ({@code unicodePwd}) included.
 *
 * <p>The first read (and every full sync) initializes a fresh syncpasswords cache in the agent's state directory,
 * so DirSync starts from nothing and returns every user; each later read runs {@code syncpasswords --no-wait},
 * which returns only the users changed since the cache's cookie and exits. The users in scope are kept in memory
 * between reads (the NT hash included, as the embedded directory keeps it), so each read answers every user, as
 * {@link HashSource} promises. The output is read from a pipe and never written to disk or logs; the cache holds
 * only the DirSync cookie and settings.
 *
 * <p>Only user objects with a normal account (syncpasswords' own filter: not krbtgt, not computers) under the
 * directory's scopes are answered; {@code pwdLastSet} is the change stamp, and {@code pwdLastSet = 0} (must change
 * at next logon) is reported as such, so the syncer sends it as filtered.
 */
public final class SambaHashSource implements HashSource {
    /** What is asked of syncpasswords for each user. */
    static final String ATTRIBUTES = "objectGUID,userPrincipalName,sAMAccountName,userAccountControl,pwdLastSet,unicodePwd";
    private static final int UF_ACCOUNTDISABLE = 0x2;
    private static final int STDERR_KEPT = 4096;
    /**
     * The log line before a user's LDIF: {@code time.ctime()}, the pid, then {@code # Passwords[N]}. Anchored at the
     * line's start, so no attribute value can pass for it (LDIF puts values with a line break in base64).
     */
    private static final Pattern PASSWORDS_LINE = Pattern.compile(
            "[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}: pid\\[\\d+\\]: # Passwords\\[\\d+\\] ");
    private static final Logger logger = LoggerFactory.getLogger(SambaHashSource.class);

    private final Settings settings;
    private final List<DN> scopes;
    /** Users in scope, by anchor, as of the last read. */
    private final Map<String, SourceUser> users = new LinkedHashMap<>();
    private boolean initialized;

    /**
     * @param command how {@code samba-tool} is started (e.g. {@code [samba-tool]}, or a wrapper)
     * @param configFile the DC's {@code smb.conf}, or null for samba-tool's default
     * @param cacheFile the syncpasswords cache (in the agent's state directory; recreated at each full sync)
     * @param scopes the directory's subtrees: users elsewhere are not synced
     * @param timeout how long one samba-tool run may take before it is stopped
     */
    public record Settings(List<String> command, Path configFile, Path cacheFile, List<String> scopes, Duration timeout) {
        public Settings {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command: empty");
            }
            requireNonNull(cacheFile, "cacheFile");
            scopes = List.copyOf(scopes);
            requireNonNull(timeout, "timeout");
        }
    }

    public SambaHashSource(Settings settings) {
        this.settings = requireNonNull(settings, "settings");
        this.scopes = new ArrayList<>();
        for (String scope : settings.scopes()) {
            try {
                scopes.add(new DN(scope));
            } catch (LDAPException e) {
                throw new IllegalArgumentException("scope " + scope + ": not a DN: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String name() {
        return "samba";
    }

    @Override
    public List<SourceUser> users() throws IOException {
        return users(false);
    }

    @Override
    public synchronized List<SourceUser> users(boolean full) throws IOException {
        if (full || !initialized) {
            initialize();
        }
        try {
            run(List.of("--no-wait", "--cache-ldb=" + settings.cacheFile().toAbsolutePath()));
        } catch (IOException e) {
            if (!initialized) {
                clear();
            }
            throw e;
        }
        initialized = true;
        List<SourceUser> out = new ArrayList<>(users.size());
        for (SourceUser u : users.values()) {
            out.add(new SourceUser(u.anchor(), u.upn(), u.ntHash(), u.mustChange(), u.enabled(), u.stamp()));
        }
        return out;
    }

    /** A fresh cache: DirSync starts from nothing, so the next run returns every user. */
    private void initialize() throws IOException {
        initialized = false;
        clear();
        Path cache = settings.cacheFile().toAbsolutePath();
        OwnerOnly.createDirectories(cache.getParent());
        Files.deleteIfExists(cache);
        Files.deleteIfExists(cache.resolveSibling(cache.getFileName() + ".pid"));
        run(List.of("--cache-ldb-initialize", "--cache-ldb=" + cache, "--attributes=" + ATTRIBUTES));
        logger.info("AGT-623 hash sync: samba-tool syncpasswords cache initialized at {}; the next read returns every user", cache);
    }

    private void clear() {
        users.values().forEach(SourceUser::wipe);
        users.clear();
    }

    /** Runs {@code samba-tool user syncpasswords} with {@code args}, applying each user it prints. */
    private void run(List<String> args) throws IOException {
        var command = new ArrayList<>(settings.command());
        command.addAll(List.of("user", "syncpasswords"));
        if (settings.configFile() != null) {
            command.add("--configfile=" + settings.configFile());
        }
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new IOException("samba-tool not started (" + String.join(" ", settings.command()) + "): " + e.getMessage()
                    + " (expected: the agent on a Samba DC with samba-tool on its PATH, or hashSync.samba.command)", e);
        }
        process.getOutputStream().close();
        var stderr = CompletableFuture.supplyAsync(() -> head(process.getErrorStream()));
        var watchdog = CompletableFuture.delayedExecutor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture.runAsync(() -> {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }, watchdog);
        var parser = new LdifBlocks();
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                parser.line(line);
            }
            parser.end();
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw new IOException("samba-tool user syncpasswords: unexpected output: " + e.getMessage(), e);
        }
        int exit;
        try {
            if (!process.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("samba-tool user syncpasswords: no exit within " + settings.timeout());
            }
            exit = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("samba-tool user syncpasswords: interrupted", e);
        }
        if (exit != 0) {
            throw new IOException("samba-tool user syncpasswords " + args.get(0) + " exited with " + exit
                    + (exit == 137 ? " (stopped after " + settings.timeout() + ")" : "") + ": "
                    + LogSafe.of(stderr.join().strip()));
        }
    }

    /** The first few KiB of a stream (samba-tool's errors; they carry no hash), the rest drained. */
    private static String head(InputStream in) {
        try (in) {
            byte[] all = in.readAllBytes();
            return new String(all, 0, Math.min(all.length, STDERR_KEPT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** One user's LDIF from syncpasswords: updates {@link #users}. */
    private void apply(Map<String, String> raw, byte[] ntHash) {
        String guid = raw.get("objectguid");
        try {
            if (guid == null) {
                return;
            }
            String anchor = anchorOf(guid);
            SourceUser old = users.remove(anchor);
            if (old != null) {
                old.wipe();
            }
            if ("TRUE".equalsIgnoreCase(raw.get("isdeleted")) || !inScope(raw.get("dn"))) {
                return;   // gone or outside the scopes: the syncer reports SOURCE_NOT_PRESENT if it had sent it
            }
            long pwdLastSet = parseLong(raw.get("pwdlastset"));
            long uac = parseLong(raw.get("useraccountcontrol"));
            users.put(anchor, new SourceUser(anchor, raw.getOrDefault("userprincipalname", ""), ntHash, pwdLastSet == 0,
                    (uac & UF_ACCOUNTDISABLE) == 0, pwdLastSet));
        } finally {
            if (ntHash != null) {
                Arrays.fill(ntHash, (byte) 0);
            }
        }
    }

    private boolean inScope(String dn) {
        if (dn == null) {
            return false;
        }
        try {
            DN parsed = new DN(dn);
            return scopes.stream().anyMatch(s -> parsed.isDescendantOf(s, true));
        } catch (LDAPException e) {
            return false;
        }
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The agent's anchor for an AD object ({@code guid:} and the objectGUID's 16 bytes as AD stores them, base64),
     * from samba's text form of the GUID: its first three fields are stored little-endian.
     */
    static String anchorOf(String guidText) {
        UUID uuid = UUID.fromString(guidText.strip());
        byte[] be = new byte[16];
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            be[i] = (byte) (msb >>> (56 - 8 * i));
            be[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        byte[] raw = {be[3], be[2], be[1], be[0], be[5], be[4], be[7], be[6],
            be[8], be[9], be[10], be[11], be[12], be[13], be[14], be[15]};
        return "guid:" + Base64.getEncoder().encodeToString(raw);
    }

    /**
     * syncpasswords' standard output without {@code --script}: log lines (a time stamp and {@code pid[N]: }), the
     * DirSync entry (secrets redacted) and, after a {@code # Passwords[N]} log line, the user's LDIF up to an empty
     * line. Only the latter is parsed; folded lines (RFC 2849: a continuation starts with one space) are joined.
     */
    private final class LdifBlocks {
        private Map<String, String> attributes;
        private byte[] ntHash;
        private StringBuilder pending;

        void line(String line) {
            if (attributes == null) {
                if (PASSWORDS_LINE.matcher(line).lookingAt()) {
                    attributes = new LinkedHashMap<>();
                }
                return;
            }
            if (line.startsWith(" ") && pending != null) {
                pending.append(line, 1, line.length());
                return;
            }
            flushPending();
            if (line.isEmpty()) {
                finish();
            } else if (!line.startsWith("#")) {
                pending = new StringBuilder(line);
            }
        }

        void end() {
            if (attributes != null) {
                flushPending();
                finish();
            }
        }

        private void flushPending() {
            if (pending == null) {
                return;
            }
            String l = pending.toString();
            pending = null;
            int colon = l.indexOf(':');
            if (colon <= 0) {
                return;
            }
            String name = l.substring(0, colon).toLowerCase(Locale.ROOT);
            boolean base64 = l.startsWith("::", colon);
            String value = l.substring(colon + (base64 ? 2 : 1)).strip();
            if (name.equals("unicodepwd")) {
                byte[] nt = base64 ? Base64.getDecoder().decode(value) : null;
                if (nt != null && nt.length == 16) {
                    ntHash = nt;
                } else if (nt != null) {
                    Arrays.fill(nt, (byte) 0);
                }
                return;
            }
            if (base64) {
                byte[] bytes = Base64.getDecoder().decode(value);
                value = name.equals("objectguid") && bytes.length == 16 ? textOf(bytes) : new String(bytes, StandardCharsets.UTF_8);
            }
            attributes.put(name, value);
        }

        private void finish() {
            Map<String, String> done = attributes;
            byte[] nt = ntHash;
            attributes = null;
            ntHash = null;
            apply(done, nt);
        }
    }

    /** AD's 16 objectGUID bytes in text form (the inverse of {@link #anchorOf}'s byte order). */
    private static String textOf(byte[] raw) {
        byte[] be = {raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
            raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]};
        String hex = HexFormat.of().formatHex(be);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20)
                + "-" + hex.substring(20);
    }
}
