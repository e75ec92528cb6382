package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.protocol.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured directory, opened: its writer, and the embedded server behind it when {@code type: embedded}.
 *
 * @param name the configured name
 * @param writer the password writer
 * @param embedded the embedded server, or null
 */
record OpenDirectory(String name, PasswordWriter writer, EmbeddedDirectory embedded) {
    private static final Logger logger = LoggerFactory.getLogger(OpenDirectory.class);

    static OpenDirectory open(DirectoryConfig config, int index, Path stateDir, Clock clock, Duration healthInterval,
                              Function<String, String> environment) throws DirectoryConfigException {
        String key = "directories[" + index + "]";
        EmbeddedDirectory embedded = null;
        ConnectionSettings settings;
        try {
            if (config.is(DirectoryType.EMBEDDED)) {
                embedded = startEmbedded(config, key, stateDir, clock);
                settings = embeddedSettings(config, embedded);
            } else {
                settings = remoteSettings(config, key, environment);
            }
            try {
                if (config.is(DirectoryType.ACTIVE_DIRECTORY) && settings.preferPdcEmulator()) {
                    settings = preferPdc(settings);
                }
                DirectoryPool pool = DirectoryPool.open(settings, healthInterval);
                PasswordWriter writer = config.is(DirectoryType.LDAP)
                        ? new LdapWriter(settings, config.ldap(), config.lookup(), pool, clock)
                        : new ActiveDirectoryWriter(settings, config.lookup(), pool, clock);
                var opened = new OpenDirectory(config.name(), writer, embedded);
                logger.info("DIR-100 directory opened {}", opened.describe());
                return opened;
            } finally {
                settings.bindPassword().close();   // the pool's bind request holds its own copy
            }
        } catch (DirectoryConfigException | RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    private static EmbeddedDirectory startEmbedded(DirectoryConfig config, String key, Path stateDir, Clock clock)
            throws DirectoryConfigException {
        try {
            return EmbeddedDirectory.start(config.embedded(), stateDir, clock);
        } catch (IOException | IllegalArgumentException e) {
            throw new DirectoryConfigException(key + ".embedded: cannot start (" + e.getMessage() + ")", e);
        }
    }

    /** The embedded directory is reached exactly like a DC: LDAPS on loopback, its certificate pinned, as svc-writeback. */
    private static ConnectionSettings embeddedSettings(DirectoryConfig config, EmbeddedDirectory embedded)
            throws DirectoryConfigException {
        try {
            String host = embedded.host().contains(":") ? "[" + embedded.host() + "]" : embedded.host();
            var url = new LDAPURL("ldaps://" + host + ":" + embedded.ldapsPort());
            return new ConnectionSettings(config.name(), DirectoryType.EMBEDDED.configName(), List.of(url), false,
                    embedded.serviceAccountDn(), embedded.serviceAccountPassword(), null, null, embedded.certificate(),
                    true, config.baseDn(), config.effectiveScopes(), config.allowProtectedAccounts(), false,
                    config.connectTimeout(), config.operationTimeout(), config.poolSize());
        } catch (LDAPException | IOException e) {
            throw new DirectoryConfigException("directory " + config.name() + ": embedded service account: "
                    + e.getMessage(), e);
        }
    }

    private static ConnectionSettings remoteSettings(DirectoryConfig config, String key,
                                                     Function<String, String> environment) throws DirectoryConfigException {
        List<LDAPURL> urls;
        try {
            urls = ConnectionSettings.parseUrls(config.urls());
        } catch (LDAPException e) {
            throw new DirectoryConfigException(key + ".urls: " + config.urls() + " (expected: ldaps:// URLs)", e);
        }
        return new ConnectionSettings(config.name(), config.type(), urls, config.startTls(), config.bindDn(),
                bindPassword(config, key, environment), config.trustCaFile(), config.trustFingerprint(), null,
                config.verifyHostname(), config.baseDn(), config.effectiveScopes(), config.allowProtectedAccounts(),
                config.preferPdcEmulator(), config.connectTimeout(), config.operationTimeout(), config.poolSize());
    }

    private static Secret bindPassword(DirectoryConfig config, String key, Function<String, String> environment)
            throws DirectoryConfigException {
        if (config.bindPasswordFile() != null && !config.bindPasswordFile().isBlank()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(Path.of(config.bindPasswordFile()));
            } catch (IOException e) {
                throw new DirectoryConfigException(key + ".bindPasswordFile: " + config.bindPasswordFile()
                        + " (expected: a readable file)", e);
            }
            int length = bytes.length;
            while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
                length--;
            }
            byte[] trimmed = Arrays.copyOf(bytes, length);
            try {
                return Secret.fromUtf8(trimmed);
            } finally {
                Arrays.fill(bytes, (byte) 0);
                Arrays.fill(trimmed, (byte) 0);
            }
        }
        String value = environment.apply(config.bindPasswordEnv());
        if (value == null || value.isEmpty()) {
            throw new DirectoryConfigException(key + ".bindPasswordEnv: " + config.bindPasswordEnv()
                    + " (expected: a set environment variable)");
        }
        return Secret.of(value);
    }

    private static ConnectionSettings preferPdc(ConnectionSettings settings) {
        try (LDAPConnection connection = DirectoryPool.serverSet(settings).getConnection()) {
            Optional<String> pdc = PdcLocator.pdcHost(connection);
            if (pdc.isEmpty()) {
                logger.warn("DIR-103 PDC emulator not found directory={}; using the configured order", settings.name());
                return settings;
            }
            List<LDAPURL> reordered = PdcLocator.preferHost(settings.urls(), pdc.get());
            logger.info("DIR-102 PDC emulator directory={} pdc={} preferred={}", settings.name(), pdc.get(),
                    reordered.get(0).getHost().equalsIgnoreCase(pdc.get()));
            return settings.withUrls(reordered);
        } catch (LDAPException | DirectoryConfigException e) {
            logger.warn("DIR-103 PDC emulator lookup failed directory={} problem={}; using the configured order",
                    settings.name(), e.getMessage());
            return settings;
        }
    }

    String describe() {
        String line = writer.describe();
        if (embedded == null) {
            return line;
        }
        return line + " embedded.ldap=" + embedded.host() + ":" + embedded.ldapPort() + " embedded.ldaps="
                + embedded.host() + ":" + embedded.ldapsPort() + " embedded.dataDir=" + embedded.dataDir()
                + " embedded.certificate=" + embedded.certificateFingerprint();
    }

    void close() {
        writer.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
