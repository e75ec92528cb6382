package dev.writeback.agent.directory;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import dev.writeback.agent.embedded.EmbeddedDirectoryConfig;
import dev.writeback.protocol.ConfigPaths;
import dev.writeback.protocol.files.DurationText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of {@code directories:} in the agent configuration. Passwords are never inline: the bind password
 * comes from {@code bindPasswordFile} or {@code bindPasswordEnv}. Call {@link #validate(int)} before use.
 *
 * @param name unique name, reported in outcomes and health
 * @param type {@code active-directory}, {@code ldap} or {@code embedded}
 * @param urls {@code ldaps://host:636} or {@code ldap://host:389} (with startTls); the first is preferred
 * @param startTls upgrade {@code ldap://} URLs with StartTLS; plain LDAP is refused
 * @param bindDn the service account
 * @param bindPasswordFile file holding the service account password (trailing newline ignored)
 * @param bindPasswordEnv environment variable holding the service account password
 * @param trustCaFile PEM file of CA certificates to trust
 * @param trustFingerprint the DC certificate's {@code SHA256:AB:CD:...} fingerprint to pin
 * @param verifyHostname check the certificate names the host of the URL
 * @param baseDn the domain naming context
 * @param scopes subtrees searched for anchors; empty means {@code [baseDn]}
 * @param allowProtectedAccounts allow accounts with {@code adminCount=1}
 * @param preferPdcEmulator find the PDC emulator and use it first (AD)
 * @param connectTimeout TCP + TLS connect timeout
 * @param operationTimeout timeout of each LDAP operation
 * @param poolSize maximum pooled connections
 * @param embedded settings of the embedded directory ({@code type: embedded} only)
 * @param ldap settings of a generic LDAP directory ({@code type: ldap} only; defaults when absent)
 * @param lookup how a LOOKUP matches a typed user id and reads contact data (defaults when absent)
 */
public record DirectoryConfig(String name, String type, List<String> urls, boolean startTls, String bindDn,
                              String bindPasswordFile, String bindPasswordEnv, String trustCaFile,
                              String trustFingerprint, Boolean verifyHostname, String baseDn, List<String> scopes,
                              boolean allowProtectedAccounts, Boolean preferPdcEmulator,
                              @JsonDeserialize(using = DurationText.class) Duration connectTimeout,
                              @JsonDeserialize(using = DurationText.class) Duration operationTimeout,
                              Integer poolSize, EmbeddedDirectoryConfig embedded, LdapDirectoryConfig ldap,
                              LookupMapping lookup) {
    /** {@code type: active-directory}. */
    /** {@code type: ldap}. */
    /** {@code type: embedded}. */

    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}");

    @com.fasterxml.jackson.annotation.JsonCreator
    public DirectoryConfig {
        type = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
        urls = urls == null ? List.of() : List.copyOf(urls);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        verifyHostname = verifyHostname == null || verifyHostname;
        preferPdcEmulator = preferPdcEmulator == null || preferPdcEmulator;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        operationTimeout = operationTimeout == null ? Duration.ofSeconds(10) : operationTimeout;
        poolSize = poolSize == null ? 4 : poolSize;
        ldap = ldap == null ? LdapDirectoryConfig.defaults() : ldap;
        lookup = lookup == null ? LookupMapping.defaults() : lookup;
        if (DirectoryType.of(type).orElse(null) == DirectoryType.EMBEDDED && embedded == null) {
            embedded = EmbeddedDirectoryConfig.defaults();
        }
        if (DirectoryType.of(type).orElse(null) == DirectoryType.EMBEDDED && (baseDn == null || baseDn.isBlank())) {
            baseDn = embedded.baseDn();
        }
    }

    /** A directory with the default {@code lookup:} mapping. */
    public DirectoryConfig(String name, String type, List<String> urls, boolean startTls, String bindDn,
                           String bindPasswordFile, String bindPasswordEnv, String trustCaFile, String trustFingerprint,
                           Boolean verifyHostname, String baseDn, List<String> scopes, boolean allowProtectedAccounts,
                           Boolean preferPdcEmulator, Duration connectTimeout, Duration operationTimeout, Integer poolSize,
                           EmbeddedDirectoryConfig embedded, LdapDirectoryConfig ldap) {
        this(name, type, urls, startTls, bindDn, bindPasswordFile, bindPasswordEnv, trustCaFile, trustFingerprint,
                verifyHostname, baseDn, scopes, allowProtectedAccounts, preferPdcEmulator, connectTimeout, operationTimeout,
                poolSize, embedded, ldap, null);
    }

    /** An embedded directory with the given settings and defaults for the rest. */
    public static DirectoryConfig embedded(String name, EmbeddedDirectoryConfig embedded) {
        return new DirectoryConfig(name, DirectoryType.EMBEDDED.configName(), null, false, null, null, null, null, null, null, null, null,
                false, null, null, null, null, embedded, null);
    }

    /**
     * This entry with its file keys ({@code bindPasswordFile}, {@code trustCaFile}, {@code embedded.seedLdif},
     * {@code embedded.dataDir}) resolved against {@code base}, the folder of the configuration file
     * ({@link ConfigPaths}).
     */
    public DirectoryConfig withPathsResolvedAgainst(Path base) {
        return new DirectoryConfig(name, type, urls, startTls, bindDn, ConfigPaths.resolveText(base, bindPasswordFile),
                bindPasswordEnv, ConfigPaths.resolveText(base, trustCaFile), trustFingerprint, verifyHostname, baseDn,
                scopes, allowProtectedAccounts, preferPdcEmulator, connectTimeout, operationTimeout, poolSize,
                embedded == null ? null : embedded.withPathsResolvedAgainst(base), ldap, lookup);
    }

    /** The subtrees searched for anchors: {@code scopes}, or the base DN when none are configured. */
    /** Whether the directory is of {@code kind}. */
    public boolean is(DirectoryType kind) {
        return DirectoryType.of(type).orElse(null) == kind;
    }

    public List<String> effectiveScopes() {
        return scopes.isEmpty() ? List.of(baseDn) : scopes;
    }

    /** Checks every setting; {@code index} is this entry's position under {@code directories:}. */
    public void validate(int index) throws DirectoryConfigException {
        String key = "directories[" + index + "]";
        require(name != null && !name.isBlank(), key + ".name: (missing) (expected: a unique name)");
        DirectoryType kind = DirectoryType.of(type).orElseThrow(() -> new DirectoryConfigException(key + ".type: "
                + (type.isEmpty() ? "(missing)" : type) + " (expected: " + DirectoryType.expected() + ")"));
        switch (kind) {
            case EMBEDDED -> {
                try {
                    embedded.validate(key + ".embedded");
                } catch (IllegalArgumentException e) {
                    throw new DirectoryConfigException(e.getMessage(), e);
                }
            }
            case ACTIVE_DIRECTORY -> validateRemote(key);
            case LDAP -> {
                validateRemote(key);
                ldap.validate(key + ".ldap");
            }
        }
        validateDns(key);
        lookup.validate(key + ".lookup");
        require(!connectTimeout.isNegative() && !connectTimeout.isZero(),
                key + ".connectTimeout: " + connectTimeout + " (expected: > 0)");
        require(!operationTimeout.isNegative() && !operationTimeout.isZero(),
                key + ".operationTimeout: " + operationTimeout + " (expected: > 0)");
        require(poolSize >= 1 && poolSize <= 64, key + ".poolSize: " + poolSize + " (expected: 1..64)");
    }

    private void validateRemote(String key) throws DirectoryConfigException {
        require(!urls.isEmpty(), key + ".urls: (missing) (expected: at least one ldaps:// URL)");
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            LDAPURL parsed;
            try {
                parsed = new LDAPURL(url);
            } catch (LDAPException e) {
                throw new DirectoryConfigException(key + ".urls[" + i + "]: " + url + " (expected: ldaps://host:port)", e);
            }
            require(parsed.hostProvided(), key + ".urls[" + i + "]: " + url + " (expected: a host name)");
            boolean ldaps = "ldaps".equalsIgnoreCase(parsed.getScheme());
            require(ldaps || startTls, key + ".urls[" + i + "]: " + url + " (expected: ldaps:// or startTls: true)");
        }
        require(bindDn != null && !bindDn.isBlank(), key + ".bindDn: (missing) (expected: the service account DN)");
        boolean file = bindPasswordFile != null && !bindPasswordFile.isBlank();
        boolean env = bindPasswordEnv != null && !bindPasswordEnv.isBlank();
        require(file || env, key + ".bindPasswordFile: (missing) (expected: bindPasswordFile or bindPasswordEnv)");
        require(!(file && env), key + ".bindPasswordEnv: " + bindPasswordEnv + " (expected: only one of bindPasswordFile, bindPasswordEnv)");
        boolean ca = trustCaFile != null && !trustCaFile.isBlank();
        boolean pin = trustFingerprint != null && !trustFingerprint.isBlank();
        require(!(ca && pin), key + ".trustFingerprint: (set) (expected: only one of trustCaFile, trustFingerprint)");
        require(!pin || FINGERPRINT.matcher(trustFingerprint.strip()).matches(),
                key + ".trustFingerprint: " + trustFingerprint + " (expected: SHA256: and 32 hex pairs separated by colons)");
    }

    private void validateDns(String key) throws DirectoryConfigException {
        require(baseDn != null && !baseDn.isBlank(), key + ".baseDn: (missing) (expected: the domain naming context)");
        DN base = parseDn(key + ".baseDn", baseDn);
        if (!is(DirectoryType.EMBEDDED)) {
            parseDn(key + ".bindDn", bindDn);
        }
        for (int i = 0; i < scopes.size(); i++) {
            DN scope = parseDn(key + ".scopes[" + i + "]", scopes.get(i));
            // In a YAML flow list [OU=a,DC=b] the commas split the DN; quote each DN or use one "- " line per DN.
            String hint = scope.getRDNs().length == 1 ? "; quote DNs inside [ ] in YAML" : "";
            require(scope.isDescendantOf(base, true),
                    key + ".scopes[" + i + "]: " + scopes.get(i) + " (expected: inside baseDn " + baseDn + hint + ")");
        }
    }

    private static DN parseDn(String key, String value) throws DirectoryConfigException {
        try {
            return new DN(value);
        } catch (LDAPException e) {
            throw new DirectoryConfigException(key + ": " + value + " (expected: a distinguished name)", e);
        }
    }

    private static void require(boolean condition, String message) throws DirectoryConfigException {
        if (!condition) {
            throw new DirectoryConfigException(message);
        }
    }
}
