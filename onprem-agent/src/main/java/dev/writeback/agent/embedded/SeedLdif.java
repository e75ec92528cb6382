package dev.writeback.agent.embedded;

import dev.writeback.protocol.hashsync.Pph1;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldif.LDIFException;
import com.unboundid.ldif.LDIFReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** First-start content: the configured seed LDIF, or the built-in sample users rebased onto the baseDn. */
final class SeedLdif {
    private static final Logger logger = LoggerFactory.getLogger(SeedLdif.class);
    private static final String BUILT_IN = "/embedded/sample-users.ldif";

    private SeedLdif() {}

    static void load(InMemoryDirectoryServer server, EmbeddedDirectoryConfig config, Clock clock)
            throws IOException, LDAPException {
        String text = config.seedLdif().isBlank() ? builtIn(config.baseDn()) : Files.readString(Path.of(config.seedLdif()));
        DN base = new DN(config.baseDn());
        int count = 0;
        try (var reader = new LDIFReader(new BufferedReader(new StringReader(text)))) {
            for (Entry entry = reader.readEntry(); entry != null; entry = reader.readEntry()) {
                if (entry.getParsedDN().equals(base)) {
                    RDN rdn = base.getRDN();
                    entry.setAttribute(rdn.getAttributeNames()[0], rdn.getAttributeValues()[0]);
                }
                AdEntries.prepareNew(entry, clock);
                String seeded = entry.getAttributeValue("userPassword");
                if (seeded != null && entry.hasObjectClass("user")) {
                    char[] chars = seeded.toCharArray();
                    entry.setAttribute(AdSchema.NT_HASH_ATTRIBUTE, Pph1.ntHash(chars));
                    java.util.Arrays.fill(chars, '\0');
                }
                server.add(entry);   // the server hashes userPassword on the way in
                count++;
            }
        } catch (LDIFException e) {
            throw new IOException("seed LDIF line " + e.getLineNumber() + ": " + e.getMessage(), e);
        }
        logger.info("DIR-303 embedded directory seeded entries={} source={}", count,
                config.seedLdif().isBlank() ? "built-in sample users" : config.seedLdif());
    }

    private static String builtIn(String baseDn) throws IOException {
        try (InputStream in = SeedLdif.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IOException("resource " + BUILT_IN + ": missing (expected: on the class path)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace(EmbeddedDirectoryConfig.DEFAULT_BASE_DN, baseDn);
        }
    }
}
