package dev.writeback.agent.embedded;

import dev.writeback.protocol.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One generation of the embedded directory's append-only journal. The file starts with a 12-byte header (magic
 * {@code WBJ1}, generation as a big-endian long); each record is its payload length (4 bytes), the CRC-32C of the
 * payload (4 bytes) and the payload. A record is durable once {@link #sync} returns: writers that append while
 * another one waits for {@code fsync} are made durable by the next {@code fsync} together (group commit).
 *
 * <p>After a crash the last record may be incomplete or hold garbage; {@link #read} ignores such a tail. A damaged
 * record with more data after it is not a crash artefact, and reading refuses it rather than drop what follows.
 */
final class EntryJournal implements AutoCloseable {
    static final int MAGIC = 0x57424A31;   // "WBJ1"
    static final int HEADER_BYTES = 12;
    static final int RECORD_HEADER_BYTES = 8;
    static final int MAX_RECORD_BYTES = 16 << 20;

    private final Path file;
    private final long generation;
    private final FileChannel channel;
    private final Object syncLock = new Object();
    private volatile long written;   // bytes in the file; changed under the instance lock
    private long durable;            // bytes known to be on disk; guarded by syncLock
    private boolean closed;          // guarded by syncLock

    private EntryJournal(Path file, long generation, FileChannel channel, long size) {
        this.file = file;
        this.generation = generation;
        this.channel = channel;
        this.written = size;
        this.durable = size;
    }

    /** Creates an empty journal of {@code generation}: header written to a temporary file, synced, renamed. */
    static EntryJournal create(Path file, long generation) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OwnerOnly.restrict(tmp);
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(generation).flip();
            while (header.hasRemaining()) {
                out.write(header);
            }
            out.force(true);
        }
        OwnerOnly.moveAtomically(tmp, file);
        syncDirectory(file.getParent());
        return new EntryJournal(file, generation, FileChannel.open(file, StandardOpenOption.WRITE), HEADER_BYTES);
    }

    long generation() {
        return generation;
    }

    Path file() {
        return file;
    }

    /** Bytes in the journal, header included. */
    long size() {
        return written;
    }

    /** Appends one record (not yet durable) and returns the journal size that {@link #sync} must reach for it. */
    synchronized long write(byte[] payload) throws IOException {
        if (payload.length > MAX_RECORD_BYTES) {
            throw new IOException("journal record: " + payload.length + " bytes (expected: <= " + MAX_RECORD_BYTES + ")");
        }
        var crc = new CRC32C();
        crc.update(payload);
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length)
                .putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        long position = written;
        while (record.hasRemaining()) {
            position += channel.write(record, position);
        }
        written = position;
        return position;
    }

    /** Returns once the journal is on disk up to {@code end}; one {@code fsync} serves every writer waiting here. */
    void sync(long end) throws IOException {
        synchronized (syncLock) {
            if (durable >= end) {
                return;
            }
            if (closed) {
                throw new IOException("journal " + file + ": closed before record at " + end + " was synced");
            }
            long upTo = written;
            channel.force(false);
            durable = upTo;
        }
    }

    /** Syncs what was written and closes the file. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            synchronized (syncLock) {
                if (closed) {
                    return;
                }
                try {
                    channel.force(false);
                    durable = written;
                } finally {
                    closed = true;
                    channel.close();
                }
            }
        }
    }

    /** What a journal file holds: its generation and the payloads of its complete records, in order. */
    record Contents(long generation, List<byte[]> records, long tornBytes) {}

    /** Reads a journal; an incomplete or damaged last record is left out and counted in {@code tornBytes}. */
    static Contents read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < HEADER_BYTES || in.getInt() != MAGIC) {
            throw new IOException("journal " + file + ": no WBJ1 header (expected: a journal written by the embedded directory)");
        }
        long generation = in.getLong();
        var records = new ArrayList<byte[]>();
        while (in.hasRemaining()) {
            int start = in.position();
            byte[] payload = nextRecord(in);
            if (payload == null) {
                if (!onlyZerosFrom(in, start) && !reachesEnd(in, start)) {
                    throw new IOException("journal " + file + ": record at offset " + start + " is damaged and "
                            + (in.limit() - start) + " bytes follow it (expected: only the last record may be "
                            + "incomplete after a crash); move the file away to start from the snapshot alone");
                }
                return new Contents(generation, records, in.limit() - start);
            }
            records.add(payload);
        }
        return new Contents(generation, records, 0);
    }

    /** The next record's payload, or null (position unchanged) when it is incomplete or its CRC does not match. */
    private static byte[] nextRecord(ByteBuffer in) {
        int start = in.position();
        if (in.remaining() < RECORD_HEADER_BYTES) {
            return null;
        }
        int length = in.getInt();
        int expectedCrc = in.getInt();
        if (length < 0 || length > MAX_RECORD_BYTES || length > in.remaining()) {
            in.position(start);
            return null;
        }
        byte[] payload = new byte[length];
        in.get(payload);
        var crc = new CRC32C();
        crc.update(payload);
        if ((int) crc.getValue() != expectedCrc) {
            in.position(start);
            return null;
        }
        return payload;
    }

    /**
     * Whether the damaged record at {@code start} is the file's last one: its declared length reaches the end, or
     * only zeros follow it.
     */
    private static boolean reachesEnd(ByteBuffer in, int start) {
        if (in.limit() - start < RECORD_HEADER_BYTES) {
            return true;
        }
        long end = start + RECORD_HEADER_BYTES + (in.getInt(start) & 0xFFFFFFFFL);
        return end >= in.limit() || onlyZerosFrom(in, (int) end);
    }

    /** File systems may leave zeros after the last complete write when a crash cuts an append short. */
    private static boolean onlyZerosFrom(ByteBuffer in, int start) {
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Makes a rename or a new file in {@code dir} durable; a no-op where directories cannot be opened (Windows). */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not supported on this platform; the rename is still atomic.
        }
    }
}
