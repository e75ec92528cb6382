package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot plus journal: what was recorded survives a restart, a torn last record is ignored, compaction keeps it all. */
class EntryStoreTest {
    private static final String BASE = "DC=corp,DC=example";
    private static final String ADA = "CN=Ada,DC=corp,DC=example";
    private static final String GRACE = "CN=Grace,DC=corp,DC=example";
    private static final Executor INLINE = Runnable::run;

    @TempDir
    Path dir;

    private final List<EntryStore> open = new ArrayList<>();

    @AfterEach
    void closeStores() throws Exception {
        for (EntryStore store : open) {
            store.close();
        }
    }

    @Test
    void load_replaysRecordedAddsModifiesAndDeletes() throws Exception {
        var server = server();
        var store = firstStart(server, Long.MAX_VALUE);
        add(server, store, ADA, "Ada-Pass-1");
        add(server, store, GRACE, "Grace-Pass-1");
        server.modify(ADA, new Modification(ModificationType.REPLACE, "description", "changed"));
        store.record(ADA);
        server.modify(ADA, new Modification(ModificationType.REPLACE, "userPassword", "Ada-Pass-2"));
        store.record(ADA);
        server.delete(GRACE);
        store.record(GRACE);
        String adaPassword = server.getEntry(ADA).getAttributeValue("userPassword");
        // no compaction: the snapshot still has neither entry, the journal has all of it

        var restarted = restart();

        assertThat(restarted.getEntry(GRACE)).isNull();
        assertThat(restarted.getEntry(ADA).getAttributeValue("description")).isEqualTo("changed");
        assertThat(restarted.getEntry(ADA).getAttributeValue("userPassword")).isEqualTo(adaPassword).startsWith("{SSHA256}");
    }

    @Test
    void load_tornLastRecord_isIgnoredAndTheRestKept() throws Exception {
        var server = server();
        var store = firstStart(server, Long.MAX_VALUE);
        add(server, store, ADA, "Ada-Pass-1");
        server.modify(ADA, new Modification(ModificationType.REPLACE, "description", "last write"));
        store.record(ADA);
        store.close();
        Path journal = onlyJournal();
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, Arrays.copyOf(bytes, bytes.length - 10));   // the crash cut the last append

        var restarted = restart();

        assertThat(restarted.getEntry(ADA)).isNotNull();
        assertThat(restarted.getEntry(ADA).getAttributeValue("description")).isNull();
    }

    @Test
    void record_pastThreshold_compactsIntoTheSnapshotAndStartsANewJournal() throws Exception {
        var server = server();
        var store = firstStart(server, 1);   // compact once the journal outgrows the snapshot
        long before = generationOf(onlyJournal());
        add(server, store, ADA, "Ada-Pass-1");   // the journal (one entry) outgrows the snapshot (the domain head)
        assertThat(generationOf(onlyJournal())).isEqualTo(before + 1);
        assertThat(EntryJournal.read(onlyJournal()).records()).isEmpty();

        add(server, store, GRACE, "Grace-Pass-1");   // smaller than the snapshot of head and Ada: journaled only
        assertThat(generationOf(onlyJournal())).isEqualTo(before + 1);
        assertThat(EntryJournal.read(onlyJournal()).records()).hasSize(1);
        for (int i = 0; generationOf(onlyJournal()) == before + 1; i++) {
            assertThat(i).as("writes before a second compaction").isLessThan(10);
            server.modify(ADA, new Modification(ModificationType.REPLACE, "description", "write " + i));
            store.record(ADA);
        }

        assertThat(Files.readString(dir.resolve(EntryStore.SNAPSHOT_FILE))).contains("dn: " + GRACE);
        var restarted = restart();
        assertThat(restarted.getEntry(ADA)).isNotNull();
        assertThat(restarted.getEntry(GRACE)).isNotNull();
    }

    @Test
    void load_journalOlderThanTheSnapshot_isNotReplayed() throws Exception {
        var server = server();
        var store = firstStart(server, Long.MAX_VALUE);
        add(server, store, ADA, "Ada-Pass-1");
        Path old = onlyJournal();
        byte[] oldJournal = Files.readAllBytes(old);
        server.delete(ADA);
        store.record(ADA);
        store.compact();
        store.close();
        Files.write(old, oldJournal);   // a crash between the snapshot's rename and the old journal's deletion

        var restarted = restart();

        assertThat(restarted.getEntry(ADA)).isNull();
    }

    @Test
    void load_snapshotWithoutGeneration_isLoaded() throws Exception {
        Files.writeString(dir.resolve(EntryStore.SNAPSHOT_FILE), "dn: " + BASE + "\nobjectClass: top\nobjectClass: domain\ndc: corp\n\n"
                + "dn: " + ADA + "\nobjectClass: top\nobjectClass: person\ncn: Ada\nsn: Lovelace\n", StandardOpenOption.CREATE);

        var restarted = restart();

        assertThat(restarted.getEntry(ADA)).isNotNull();
    }

    private EntryStore firstStart(InMemoryDirectoryServer server, long compactAfterBytes) throws Exception {
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: corp");
        var store = store(server, compactAfterBytes);
        store.compact();
        return store;
    }

    private InMemoryDirectoryServer restart() throws Exception {
        var server = server();
        var store = store(server, Long.MAX_VALUE);
        store.load();
        store.compact();
        return server;
    }

    private EntryStore store(InMemoryDirectoryServer server, long compactAfterBytes) {
        var store = new EntryStore(dir, compactAfterBytes, INLINE);
        store.attach(server);
        open.add(store);
        return store;
    }

    private static void add(InMemoryDirectoryServer server, EntryStore store, String dn, String password) throws LDAPException {
        var entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", "person");
        entry.addAttribute("cn", dn.substring(3, dn.indexOf(',')));
        entry.addAttribute("sn", "Test");
        entry.addAttribute("userPassword", password);
        server.add(entry);
        store.record(dn);
    }

    private Path onlyJournal() throws Exception {
        try (var files = Files.list(dir)) {
            List<Path> journals = files.filter(f -> f.getFileName().toString().startsWith(EntryStore.JOURNAL_PREFIX)
                    && !f.getFileName().toString().endsWith(".tmp")).toList();
            assertThat(journals).hasSize(1);
            return journals.get(0);
        }
    }

    private static long generationOf(Path journal) throws Exception {
        return EntryJournal.read(journal).generation();
    }

    private static InMemoryDirectoryServer server() throws Exception {
        var config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(AdSchema.create());
        config.setPasswordEncoders(EmbeddedDirectory.passwordEncoder());
        config.setEqualityIndexAttributes(EmbeddedDirectory.INDEXED);
        return new InMemoryDirectoryServer(config);
    }
}
