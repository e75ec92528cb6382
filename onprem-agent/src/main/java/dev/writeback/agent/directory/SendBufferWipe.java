package dev.writeback.agent.directory;

import com.unboundid.asn1.ASN1Buffer;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wipes the LDAP SDK's copies of a request that carried a password. UnboundID encodes every request into a
 * per-thread {@link ASN1Buffer} and then copies it into the connection's {@code BufferedOutputStream}; both stay
 * alive (one per worker thread, one per pooled connection) holding the last request, so a modify with
 * {@code unicodePwd} would leave the password (UTF-16LE, in quotes) in the heap. The SDK zeroes its encoding buffer
 * only after a bind and has no public hook, so its internals are reached through reflection, once:
 * {@link #beforePasswordWrite} gives the connection an output stream that zeroes its buffer after each flush, and
 * {@link #afterPasswordWrite} zeroes this thread's encoding buffer. If a future SDK version moves them, the wipe is
 * skipped and logged once ({@code DIR-130}); the operation still runs.
 */
final class SendBufferWipe {
    private static final Logger logger = LoggerFactory.getLogger(SendBufferWipe.class);
    private static final Internals INTERNALS = Internals.find();

    private SendBufferWipe() {}

    /** Call with the connection about to send a request holding a password, on the thread that sends it. */
    static void beforePasswordWrite(LDAPConnection conn) {
        if (INTERNALS != null) {
            INTERNALS.wipingOutput(conn);
        }
    }

    /** Call after such a request was sent (or failed), on the same thread. */
    static void afterPasswordWrite() {
        if (INTERNALS == null) {
            return;
        }
        ASN1Buffer buffer = INTERNALS.buffers.get().get();
        if (buffer != null) {
            buffer.setZeroBufferOnClear();
            buffer.clear();
        }
    }

    /** Whether the SDK internals were found (the wipe works). */
    static boolean available() {
        return INTERNALS != null;
    }

    /** The reflective handles: the per-thread buffers, a connection's internals, their socket and output stream. */
    private record Internals(AtomicReference<ThreadLocal<ASN1Buffer>> buffers, Method connectionInternals,
                             Field socket, Field outputStream) {
        @SuppressWarnings("unchecked")
        static Internals find() {
            try {
                Class<?> internals = Class.forName("com.unboundid.ldap.sdk.LDAPConnectionInternals");
                Field buffers = accessible(internals.getDeclaredField("ASN1_BUFFERS"));
                Method get = LDAPConnection.class.getDeclaredMethod("getConnectionInternals", boolean.class);
                get.setAccessible(true);
                return new Internals((AtomicReference<ThreadLocal<ASN1Buffer>>) buffers.get(null), get,
                        accessible(internals.getDeclaredField("socket")),
                        accessible(internals.getDeclaredField("outputStream")));
            } catch (ReflectiveOperationException | RuntimeException e) {
                logger.warn("DIR-130 LDAP send buffers are not wiped after password writes (LDAP SDK internals "
                        + "changed: {})", e.toString());
                return null;
            }
        }

        void wipingOutput(LDAPConnection conn) {
            try {
                Object internals = connectionInternals.invoke(conn, true);
                if (internals != null && !(outputStream.get(internals) instanceof WipingOutputStream)) {
                    Socket s = (Socket) socket.get(internals);
                    outputStream.set(internals, new WipingOutputStream(s.getOutputStream()));
                }
            } catch (ReflectiveOperationException | IOException | RuntimeException e) {
                // Not connected or internals changed: the write fails or runs as before, without the wipe.
                logger.debug("wiping output stream not installed: {}", e.toString());
            }
        }

        private static Field accessible(Field f) {
            f.setAccessible(true);
            return f;
        }
    }

    /** A buffered stream that zeroes what it buffered once that was written out. */
    static final class WipingOutputStream extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[8192];
        private int count;

        WipingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (count == buffer.length) {
                drain();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (len >= buffer.length) {
                drain();
                out.write(b, off, len);
                return;
            }
            if (len > buffer.length - count) {
                drain();
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        @Override
        public synchronized void flush() throws IOException {
            drain();
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                flush();
            } finally {
                out.close();
            }
        }

        private void drain() throws IOException {
            if (count > 0) {
                try {
                    out.write(buffer, 0, count);
                } finally {
                    Arrays.fill(buffer, 0, count, (byte) 0);
                    count = 0;
                }
            }
        }
    }
}
