package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's file format: records read back in order, a torn last record ignored, damage before the end refused. */
class EntryJournalTest {
    @TempDir
    Path dir;

    @Test
    void read_returnsSyncedRecordsInOrder() throws Exception {
        Path file = journalWith("one", "two", "three");

        var contents = EntryJournal.read(file);

        assertThat(contents.generation()).isEqualTo(7);
        assertThat(texts(contents.records())).containsExactly("one", "two", "three");
        assertThat(contents.tornBytes()).isZero();
    }

    @Test
    void read_lastRecordCutShort_isIgnored() throws Exception {
        Path file = journalWith("one", "two", "three");
        byte[] bytes = Files.readAllBytes(file);
        for (int cut = 1; cut < EntryJournal.RECORD_HEADER_BYTES + "three".length(); cut++) {
            Files.write(file, Arrays.copyOf(bytes, bytes.length - cut));

            var contents = EntryJournal.read(file);

            assertThat(texts(contents.records())).as("cut " + cut).containsExactly("one", "two");
            assertThat(contents.tornBytes()).isEqualTo(EntryJournal.RECORD_HEADER_BYTES + "three".length() - cut);
        }
    }

    @Test
    void read_lastRecordWithWrongChecksumOrZeros_isIgnored() throws Exception {
        Path file = journalWith("one", "two");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x01;   // the payload of "two" no longer matches its CRC
        Files.write(file, bytes);
        assertThat(texts(EntryJournal.read(file).records())).containsExactly("one");

        Files.write(file, new byte[64], StandardOpenOption.APPEND);   // zeros after a crash, as ext4 may leave them
        assertThat(texts(EntryJournal.read(file).records())).containsExactly("one");
    }

    @Test
    void read_damagedRecordFollowedByMore_isRefusedWithItsOffset() throws Exception {
        Path file = journalWith("one", "two", "three");
        byte[] bytes = Files.readAllBytes(file);
        int second = EntryJournal.HEADER_BYTES + EntryJournal.RECORD_HEADER_BYTES + "one".length();
        bytes[second + EntryJournal.RECORD_HEADER_BYTES] ^= 0x01;   // a byte of "two"
        Files.write(file, bytes);

        assertThatThrownBy(() -> EntryJournal.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("record at offset " + second + " is damaged");
    }

    @Test
    void read_notAJournal_isRefused() throws Exception {
        Path file = dir.resolve("directory.journal.1");
        Files.writeString(file, "dn: CN=Ada\n");

        assertThatThrownBy(() -> EntryJournal.read(file)).isInstanceOf(IOException.class).hasMessageContaining("no WBJ1 header");
    }

    @Test
    void sync_afterClose_isDurableWithoutAnotherFsync() throws Exception {
        try (var journal = EntryJournal.create(dir.resolve("directory.journal.1"), 1)) {
            long end = journal.write("one".getBytes(StandardCharsets.UTF_8));
            journal.close();
            journal.sync(end);   // a writer that lost the race with a rotation: close() already synced it
            assertThat(texts(EntryJournal.read(journal.file()).records())).containsExactly("one");
        }
    }

    @Test
    void write_recordOverLimit_isRefused() throws Exception {
        try (var journal = EntryJournal.create(dir.resolve("directory.journal.1"), 1)) {
            assertThatThrownBy(() -> journal.write(new byte[EntryJournal.MAX_RECORD_BYTES + 1]))
                    .hasMessageContaining("(expected: <= " + EntryJournal.MAX_RECORD_BYTES + ")");
        }
    }

    private Path journalWith(String... records) throws IOException {
        Path file = dir.resolve("directory.journal.7");
        try (var journal = EntryJournal.create(file, 7)) {
            for (String record : records) {
                journal.sync(journal.write(record.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return file;
    }

    private static List<String> texts(List<byte[]> records) {
        return records.stream().map(r -> new String(r, StandardCharsets.UTF_8)).toList();
    }
}
