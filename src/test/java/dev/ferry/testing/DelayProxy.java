package dev.ferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that plays a distant server: every byte is delivered a fixed one-way delay after it
 * arrived, in each direction, while the proxy keeps reading meanwhile. So it caps latency, not bandwidth:
 * a request/response round trip takes at least {@code roundTrip}, and many requests sent back to back
 * (pipelined, or on several connections) all arrive one delay later, not one delay each.
 *
 * <p>Unlike {@link FaultProxy#setLatency}, whose pump sleeps before it reads again (so a stream of
 * chunks is delayed once per chunk, which also caps a connection's throughput), each direction here has a
 * reader thread that stamps every buffer it reads with its due time and queues it, and a writer thread
 * that sends each buffer when its time has come. Threads: {@code delay-proxy-PORT-accept}, and per
 * connection {@code delay-proxy-PORT-N-c2s-read}, {@code -c2s-write}, {@code -s2c-read}, {@code -s2c-write}.
 *
 * <p>Memory is bounded: at most {@link #MAX_BYTES_QUEUED} bytes wait per direction of a connection; a
 * reader that would exceed it waits for the writer, as a full TCP window would make the sender wait.
 */
public final class DelayProxy implements AutoCloseable {
    static final int BUFFER_SIZE = 64 * 1024;
    static final int MAX_BYTES_QUEUED = 32 * 1024 * 1024;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final InetSocketAddress target;
    private final long oneWayNanos;
    private final ServerSocket listening;
    private final Thread acceptor;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong bytesForwarded = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param roundTrip the added round trip: each direction delays by half of it ({@link Duration#ZERO}: none,
     *                  bytes still pass through the queues)
     */
    public DelayProxy(String targetHost, int targetPort, Duration roundTrip) {
        if (roundTrip.isNegative()) {
            throw new IllegalArgumentException("roundTrip must not be negative, was " + roundTrip);
        }
        this.target = new InetSocketAddress(FaultProxy.loopback(targetHost), targetPort);
        this.oneWayNanos = roundTrip.toNanos() / 2;
        try {
            listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("delay-proxy could not listen", e);
        }
        acceptor = new Thread(this::acceptLoop, "delay-proxy-" + port() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listening.getLocalPort();
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port();
    }

    /** The delay added to each direction: half the round trip. */
    public Duration oneWay() {
        return Duration.ofNanos(oneWayNanos);
    }

    public String threadNamePrefix() {
        return "delay-proxy-" + port() + "-";
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    public int openConnections() {
        return connections.size();
    }

    /** Bytes written to either side, both directions together. */
    public long bytesForwarded() {
        return bytesForwarded.get();
    }

    /**
     * Stops listening, closes every connection (FIN, not RST: a benchmark's server should not log resets
     * for a proxy that simply went away) and waits for every thread of this proxy. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listening.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
        List<Connection> all = new ArrayList<>(connections);
        all.forEach(Connection::close);
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        try {
            acceptor.join(JOIN_TIMEOUT.toMillis());
            for (Connection c : all) {
                for (Thread t : c.threads) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedJoin(t, left);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, 2000);
            } catch (IOException e) {
                ProxiedConnection.abort(client);
                ProxiedConnection.closeQuietly(server);
                continue;
            }
            connectionsAccepted.incrementAndGet();
            Connection c = new Connection(threadNamePrefix() + connectionIds.incrementAndGet(), client, server);
            connections.add(c);
            c.start();
            if (closed) {
                c.close();
            }
        }
    }

    /** A buffer read at one time, due at another; {@code bytes == null} marks the end of the stream. */
    private record Packet(long dueNanos, byte[] bytes) {
    }

    private final class Connection {
        private final Socket client;
        private final Socket server;
        private final List<Thread> threads = new ArrayList<>(4);
        private final AtomicBoolean over = new AtomicBoolean();
        // both writers must have passed on the end of their stream before a graceful close
        private final java.util.concurrent.atomic.AtomicInteger directionsOpen = new java.util.concurrent.atomic.AtomicInteger(2);

        Connection(String name, Socket client, Socket server) {
            this.client = client;
            this.server = server;
            direction(name + "-c2s", client, server);
            direction(name + "-s2c", server, client);
        }

        private void direction(String name, Socket from, Socket to) {
            LinkedBlockingQueue<Packet> queue = new LinkedBlockingQueue<>();
            Semaphore room = new Semaphore(MAX_BYTES_QUEUED);
            threads.add(thread(name + "-read", () -> read(from, queue, room)));
            threads.add(thread(name + "-write", () -> write(to, queue, room)));
        }

        private Thread thread(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            return t;
        }

        void start() {
            threads.forEach(Thread::start);
        }

        private void read(Socket from, LinkedBlockingQueue<Packet> queue, Semaphore room) {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    long due = System.nanoTime() + oneWayNanos;
                    room.acquire(n);
                    queue.put(new Packet(due, java.util.Arrays.copyOf(buffer, n)));
                }
                queue.put(new Packet(System.nanoTime() + oneWayNanos, null));
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                // only abort() interrupts, and it has closed everything already
                Thread.currentThread().interrupt();
            }
        }

        private void write(Socket to, LinkedBlockingQueue<Packet> queue, Semaphore room) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Packet p = queue.take();
                    long wait;
                    while ((wait = p.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                    if (p.bytes() == null) {
                        // pass the FIN on and let the other direction drain, as TCP would
                        to.shutdownOutput();
                        if (directionsOpen.decrementAndGet() == 0 && over.compareAndSet(false, true)) {
                            ProxiedConnection.closeQuietly(client);
                            ProxiedConnection.closeQuietly(server);
                            connections.remove(this);
                        }
                        return;
                    }
                    out.write(p.bytes());
                    room.release(p.bytes().length);
                    bytesForwarded.addAndGet(p.bytes().length);
                }
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Resets both sides (RST) and wakes every thread of this connection: a reset passed on. */
        void abort() {
            end(true);
        }

        /** Closes both sides (FIN) at once, whatever is still queued, and wakes every thread. */
        void close() {
            end(false);
        }

        private void end(boolean reset) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            if (reset) {
                ProxiedConnection.abort(client);
                ProxiedConnection.abort(server);
            } else {
                ProxiedConnection.closeQuietly(client);
                ProxiedConnection.closeQuietly(server);
            }
            threads.forEach(Thread::interrupt);
            connections.remove(this);
        }
    }
}
