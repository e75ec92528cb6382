package dev.writeback.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on 127.0.0.1 that behaves like a stingy NAT or firewall: it cuts a connection that carried no byte in
 * either direction for longer than its idle limit, and can freeze the connections it holds (stop forwarding while
 * keeping the sockets open, like a peer that vanished without a FIN).
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Duration idleLimit;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closed;

    CuttingProxy(int targetPort, Duration idleLimit) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.idleLimit = idleLimit;
        this.acceptor = daemon(this::accept, "cutting-proxy-accept");
        this.watchdog = daemon(this::watch, "cutting-proxy-watchdog");
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections cut for idleness so far. */
    int cuts() {
        return cuts.get();
    }

    /** Stops forwarding on every open connection, without closing it; new connections are served normally. */
    void freezeOpenConnections() {
        pairs.forEach(p -> p.frozen = true);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    client.close();
                    upstream.close();
                    continue;
                }
                var pair = new Pair(client, upstream);
                pairs.add(pair);
                daemon(() -> pump(pair, client, upstream), "cutting-proxy-up");
                daemon(() -> pump(pair, upstream, client), "cutting-proxy-down");
            } catch (IOException e) {
                if (!closed) {
                    LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                }
            }
        }
    }

    private void pump(Pair pair, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                while (pair.frozen && !pair.closed) {
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());   // swallow nothing, forward nothing
                }
                if (pair.closed) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
                pair.lastActivity = System.nanoTime();
            }
        } catch (IOException e) {
            // the other side or the watchdog closed the connection
        } finally {
            pair.close();
            pairs.remove(pair);
        }
    }

    private void watch() {
        while (!closed) {
            long now = System.nanoTime();
            for (Pair p : pairs) {
                if (!p.frozen && now - p.lastActivity > idleLimit.toNanos()) {
                    cuts.incrementAndGet();
                    p.close();
                    pairs.remove(p);
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        pairs.forEach(Pair::close);
        try {
            acceptor.join(2_000);
            watchdog.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        var t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static final class Pair {
        final Socket a;
        final Socket b;
        volatile long lastActivity = System.nanoTime();
        volatile boolean frozen;
        volatile boolean closed;

        Pair(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void close() {
            closed = true;
            try {
                a.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                b.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
