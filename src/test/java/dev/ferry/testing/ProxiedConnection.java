package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a {@link FaultProxy} and its upstream connection, pumped by two named daemon
 * threads: {@code <name>-c2s} (client to server) and {@code <name>-s2c} (server to client).
 */
final class ProxiedConnection {
    private static final Logger log = LoggerFactory.getLogger(ProxiedConnection.class);
    static final int BUFFER_SIZE = 64 * 1024;

    /** Told when a connection is over, however it ended, so the proxy can forget it. */
    interface Listener {
        void closed(ProxiedConnection connection);

        void forwarded(int bytes);

        /** A read chunk starts (+1) or ends (-1) its latency wait. */
        void held(int delta);
    }

    private final String name;
    private final Socket client;
    private final Socket server;
    private final LongSupplier latencyNanos;
    private final Listener listener;
    private final Thread clientToServer;
    private final Thread serverToClient;
    private final AtomicBoolean closed = new AtomicBoolean();
    // both pumps must see end of stream before a graceful close: a half-closed side may still answer
    private final AtomicInteger pumpsRunning = new AtomicInteger(2);

    ProxiedConnection(String name, Socket client, Socket server, LongSupplier latencyNanos, Listener listener) {
        this.name = name;
        this.client = client;
        this.server = server;
        this.latencyNanos = latencyNanos;
        this.listener = listener;
        this.clientToServer = pumpThread(name + "-c2s", client, server);
        this.serverToClient = pumpThread(name + "-s2c", server, client);
    }

    String name() {
        return name;
    }

    void start() {
        clientToServer.start();
        serverToClient.start();
    }

    /** Resets both sides (RST, not FIN). Returns false if the connection was already over. */
    boolean cut() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        abort(client);
        abort(server);
        // a pump may be sleeping out the latency; closed sockets alone would not wake it
        clientToServer.interrupt();
        serverToClient.interrupt();
        listener.closed(this);
        return true;
    }

    /** Waits for both pump threads; true if they ended in time. */
    boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : new Thread[] {clientToServer, serverToClient}) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
        }
        return finished();
    }

    /** True once both pump threads have ended. */
    boolean finished() {
        return !clientToServer.isAlive() && !serverToClient.isAlive();
    }

    private Thread pumpThread(String threadName, Socket from, Socket to) {
        Thread t = new Thread(() -> pump(from, to), threadName);
        t.setDaemon(true);
        return t;
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long delay = latencyNanos.getAsLong();
                if (delay > 0) {
                    listener.held(1);
                    try {
                        TimeUnit.NANOSECONDS.sleep(delay);
                    } finally {
                        listener.held(-1);
                    }
                }
                out.write(buffer, 0, n);
                listener.forwarded(n);
            }
            // pass the FIN on and let the other direction drain, as TCP would
            to.shutdownOutput();
            if (pumpsRunning.decrementAndGet() == 0) {
                closeGracefully();
            }
        } catch (InterruptedException e) {
            // only cut() interrupts, and it has closed everything already
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closed.get()) {
                log.debug("{}: {} ended by {}, resetting the other side", name, Thread.currentThread().getName(),
                        e.toString());
            }
            // a reset on one side becomes a reset on the other, so the driver sees what a real outage shows
            abortQuietly();
        }
    }

    private void closeGracefully() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(client);
            closeQuietly(server);
            listener.closed(this);
        }
    }

    private void abortQuietly() {
        if (closed.compareAndSet(false, true)) {
            abort(client);
            abort(server);
            listener.closed(this);
        }
    }

    static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed: nothing left to reset
        }
        closeQuietly(socket);
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }
}
