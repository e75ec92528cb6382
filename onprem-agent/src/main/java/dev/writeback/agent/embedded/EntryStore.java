package dev.writeback.agent.embedded;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.ChangeType;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldif.LDIFAddChangeRecord;
import com.unboundid.ldif.LDIFChangeRecord;
import com.unboundid.ldif.LDIFDeleteChangeRecord;
import com.unboundid.ldif.LDIFException;
import com.unboundid.ldif.LDIFReader;
import com.unboundid.ldif.LDIFWriter;
import dev.writeback.protocol.files.OwnerOnly;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the directory's entries durable: a snapshot ({@code directory.ldif}) plus an append-only journal
 * ({@code directory.journal.N}) of the entries changed since. Each successful write appends the entry's new state
 * (or its deletion) and syncs before the write is answered, so a write costs the same with 10 or 100,000 entries.
 * When the journal outgrows the snapshot (and {@link #compactAfterBytes}), a background compaction starts journal
 * N+1, writes snapshot N+1 (temporary file, sync, atomic rename) and deletes journal N. At start the snapshot is
 * loaded and the journals of its generation and later are replayed; a torn last record is ignored.
 * Passwords appear only as salted hashes.
 */
final class EntryStore implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(EntryStore.class);
    static final String SNAPSHOT_FILE = "directory.ldif";
    static final String JOURNAL_PREFIX = "directory.journal.";
    static final long DEFAULT_COMPACT_AFTER_BYTES = 4L << 20;
    private static final String GENERATION_COMMENT = "writeback embedded directory snapshot, generation ";
    /** Attributes the server generates; the snapshot leaves them out too. */
    private static final Set<String> GENERATED = Set.of("entrydn", "entryuuid", "subschemasubentry", "creatorsname",
            "createtimestamp", "modifiersname", "modifytimestamp");

    private final Path dir;
    private final long compactAfterBytes;
    private final Executor compactor;
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final Object compactionLock = new Object();
    private volatile InMemoryDirectoryServer server;
    private volatile EntryJournal journal;   // replaced under the instance lock
    private volatile long snapshotBytes;

    EntryStore(Path dir, long compactAfterBytes, Executor compactor) {
        this.dir = dir;
        this.compactAfterBytes = compactAfterBytes;
        this.compactor = compactor;
    }

    void attach(InMemoryDirectoryServer server) {
        this.server = server;
    }

    boolean exists() {
        return Files.isRegularFile(dir.resolve(SNAPSHOT_FILE));
    }

    /** Loads the snapshot and replays the journals written since; the caller then calls {@link #compact}. */
    void load() throws IOException, LDAPException {
        Path snapshot = dir.resolve(SNAPSHOT_FILE);
        long generation = snapshotGeneration(snapshot);
        int count = server.importFromLDIF(true, snapshot.toFile());
        int replayed = 0;
        for (var entry : journals().entrySet()) {
            if (entry.getKey() < generation) {
                continue;   // already in the snapshot; deleted by the next compaction
            }
            var contents = EntryJournal.read(entry.getValue());
            for (byte[] record : contents.records()) {
                replay(record, entry.getValue());
            }
            replayed += contents.records().size();
            if (contents.tornBytes() > 0) {
                logger.warn("DIR-311 embedded directory ignored an incomplete journal record file={} bytes={}",
                        entry.getValue(), contents.tornBytes());
            }
        }
        logger.info("DIR-302 embedded directory loaded entries={} journalRecords={} file={}", count, replayed, snapshot);
    }

    /**
     * Makes the current state of {@code dn} (its entry, or its absence) durable. The read and the append happen
     * under one lock, so an entry's last journal record is read after its last write.
     */
    void record(String dn) throws LDAPException {
        EntryJournal current;
        long end;
        try {
            synchronized (this) {
                current = journal;
                end = current.write(encode(dn, server.getEntry(dn)));
            }
            current.sync(end);
        } catch (IOException e) {
            logger.warn("DIR-310 embedded directory could not save entries dir={}", dir, e);
            throw new LDAPException(ResultCode.OTHER, "00000056: the change could not be written to the data directory");
        }
        if (current.size() > Math.max(compactAfterBytes, snapshotBytes) && compacting.compareAndSet(false, true)) {
            compactor.execute(this::compactInBackground);
        }
    }

    /** Writes a new snapshot of every entry and starts a new, empty journal (also used for subtree renames). */
    void compact() throws IOException {
        synchronized (compactionLock) {
            EntryJournal old = journal;
            long next = Math.max(old == null ? 0 : old.generation(), lastGeneration()) + 1;
            synchronized (this) {
                journal = EntryJournal.create(dir.resolve(JOURNAL_PREFIX + next), next);
            }
            if (old != null) {
                old.close();
            }
            writeSnapshot(next);
            for (var entry : journals().entrySet()) {
                if (entry.getKey() < next) {
                    Files.deleteIfExists(entry.getValue());
                }
            }
        }
    }

    private void compactInBackground() {
        try {
            long started = System.nanoTime();
            compact();
            logger.debug("DIR-304 embedded directory compacted its journal into the snapshot ms={} bytes={}",
                    (System.nanoTime() - started) / 1_000_000, snapshotBytes);
        } catch (IOException e) {
            logger.warn("DIR-310 embedded directory could not save entries dir={}", dir, e);
        } finally {
            compacting.set(false);
        }
    }

    /** Syncs and closes the journal; the entries are already durable. */
    @Override
    public void close() throws IOException {
        synchronized (compactionLock) {
            if (journal != null) {
                journal.close();
            }
        }
    }

    private void writeSnapshot(long generation) throws IOException {
        Path file = dir.resolve(SNAPSHOT_FILE);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        OwnerOnly.restrict(tmp);
        try (var out = new FileOutputStream(tmp.toFile());
             var writer = new LDIFWriter(new BufferedOutputStream(out, 1 << 16))) {
            writer.writeComment(GENERATION_COMMENT + generation, false, true);
            server.exportToLDIF(writer, true, true, false);
            writer.flush();
            out.getChannel().force(true);
        } catch (LDAPException e) {
            throw new IOException("snapshot " + tmp + ": " + e.getMessage(), e);
        }
        OwnerOnly.moveAtomically(tmp, file);
        EntryJournal.syncDirectory(dir);
        snapshotBytes = Files.size(file);
    }

    /** The generation named in the snapshot's first line; 0 for a snapshot written before journals existed. */
    private static long snapshotGeneration(Path snapshot) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(snapshot, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            String prefix = "# " + GENERATION_COMMENT;
            if (first == null || !first.startsWith(prefix)) {
                return 0;
            }
            try {
                return Long.parseLong(first.substring(prefix.length()).strip());
            } catch (NumberFormatException e) {
                throw new IOException("snapshot " + snapshot + ": generation " + first.substring(prefix.length())
                        + " (expected: a number)", e);
            }
        }
    }

    /** The journal files in the data directory by generation. */
    private TreeMap<Long, Path> journals() throws IOException {
        var found = new TreeMap<Long, Path>();
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(JOURNAL_PREFIX) && name.substring(JOURNAL_PREFIX.length()).chars().allMatch(Character::isDigit)
                        && name.length() > JOURNAL_PREFIX.length()) {
                    found.put(Long.parseLong(name.substring(JOURNAL_PREFIX.length())), file);
                }
            }
        }
        return found;
    }

    private long lastGeneration() throws IOException {
        var all = journals();
        long fromJournals = all.isEmpty() ? 0 : all.lastKey();
        return exists() ? Math.max(fromJournals, snapshotGeneration(dir.resolve(SNAPSHOT_FILE))) : fromJournals;
    }

    /** A record is an LDIF change record: {@code add} = the entry is now exactly this, {@code delete} = it is gone. */
    private static byte[] encode(String dn, Entry entry) {
        LDIFChangeRecord record;
        if (entry == null) {
            record = new LDIFDeleteChangeRecord(dn);
        } else {
            Entry copy = entry.duplicate();
            for (Attribute attribute : entry.getAttributes()) {
                if (GENERATED.contains(attribute.getBaseName().toLowerCase(Locale.ROOT))) {
                    copy.removeAttribute(attribute.getName());
                }
            }
            record = new LDIFAddChangeRecord(copy);
        }
        return record.toLDIFString(0).getBytes(StandardCharsets.UTF_8);
    }

    private void replay(byte[] payload, Path file) throws IOException, LDAPException {
        LDIFChangeRecord record;
        try {
            record = LDIFReader.decodeChangeRecord(new String(payload, StandardCharsets.UTF_8).split("\\R"));
        } catch (LDIFException e) {
            throw new IOException("journal " + file + ": unreadable record: " + e.getMessage(), e);
        }
        Entry current = server.getEntry(record.getDN());
        if (record.getChangeType() == ChangeType.DELETE) {
            if (current != null) {
                server.delete(record.getDN());
            }
        } else if (record instanceof LDIFAddChangeRecord add) {
            if (current == null) {
                server.add(add.getEntryToAdd());
            } else {
                server.modify(record.getDN(), replaceAll(current, add.getEntryToAdd()));
            }
        } else {
            throw new IOException("journal " + file + ": record changetype " + record.getChangeType()
                    + " (expected: add or delete)");
        }
    }

    /** Modifications that turn {@code current} into {@code target} (a replace keeps children, unlike delete + add). */
    private static List<Modification> replaceAll(Entry current, Entry target) {
        var mods = new ArrayList<Modification>();
        for (Attribute attribute : current.getAttributes()) {
            if (!GENERATED.contains(attribute.getBaseName().toLowerCase(Locale.ROOT)) && !target.hasAttribute(attribute.getName())) {
                mods.add(new Modification(ModificationType.REPLACE, attribute.getName()));
            }
        }
        for (Attribute attribute : target.getAttributes()) {
            mods.add(new Modification(ModificationType.REPLACE, attribute.getName(), attribute.getValueByteArrays()));
        }
        return mods;
    }
}
