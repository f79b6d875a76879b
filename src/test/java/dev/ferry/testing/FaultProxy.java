package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback-only TCP proxy that sits between a MongoDB driver and a test server and injects faults:
 * latency, abrupt connection resets, refused connections and whole outages (stop, then start on the
 * same port).
 *
 * <p>Every accepted connection gets its own upstream connection and two daemon threads named
 * {@code fault-proxy-PORT-N-c2s} and {@code fault-proxy-PORT-N-s2c}; the acceptor is
 * {@code fault-proxy-PORT-accept}. {@link #close()} ends and joins all of them.
 *
 * <p>Without a fault set, bytes are copied as they arrive (64 KiB buffers, TCP_NODELAY on both sides),
 * so the proxy adds no measurable delay to wire traffic.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private enum State { RUNNING, STOPPED, CLOSED }

    private final InetSocketAddress target;
    private final Object lifecycle = new Object();
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    // connections that may still have live pump threads, kept until close() has joined them
    private final Set<ProxiedConnection> unjoined = ConcurrentHashMap.newKeySet();
    private final ProxiedConnection.Listener listener = new ProxiedConnection.Listener() {
        @Override
        public void closed(ProxiedConnection connection) {
            connections.remove(connection);
        }

        @Override
        public void forwarded(int bytes) {
            bytesForwarded.add(bytes);
        }

        @Override
        public void held(int delta) {
            chunksHeld.addAndGet(delta);
        }
    };

    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicLong connectionsCut = new AtomicLong();
    private final LongAdder bytesForwarded = new LongAdder();
    private final AtomicInteger chunksHeld = new AtomicInteger();
    private final AtomicLong connectionIds = new AtomicLong();

    private volatile long latencyNanos;
    private volatile boolean refusing;
    private volatile long refuseUntilNanos;
    private volatile boolean refuseWindowSet;

    // written holding lifecycle; read without it by the acceptor, which stop() joins while holding it
    private volatile State state = State.STOPPED;
    // guarded by lifecycle
    private ServerSocket listening;
    private Thread acceptor;
    private int port;

    /** Starts listening on a free loopback port. */
    public FaultProxy(String targetHost, int targetPort) {
        this(targetHost, targetPort, 0);
    }

    /** Starts listening on {@code 127.0.0.1:listenPort} (0: any free port). */
    public FaultProxy(String targetHost, int targetPort, int listenPort) {
        if (targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort must be 1..65535, was " + targetPort);
        }
        this.target = new InetSocketAddress(loopback(targetHost), targetPort);
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort must be 0..65535, was " + listenPort);
        }
        this.port = listenPort;
        start();
    }

    public int port() {
        synchronized (lifecycle) {
            return port;
        }
    }

    public String uri() {
        return "mongodb://127.0.0.1:" + port();
    }

    /** Prefix of every thread this proxy starts, for tests that check none is left behind. */
    public String threadNamePrefix() {
        return "fault-proxy-" + port() + "-";
    }

    /**
     * Delays every forwarded read chunk by {@code latency}, in each direction. For MongoDB traffic a chunk is
     * usually one whole message, so a request/response round trip takes at least twice the latency; a large
     * reply that arrives in several reads is delayed once per read. Since a pump sleeps before it reads again,
     * latency also caps throughput. {@link Duration#ZERO} turns it off.
     */
    public void setLatency(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + latency);
        }
        latencyNanos = latency.toNanos();
    }

    /**
     * While on, every new connection is accepted and reset at once (RST), so a driver fails its connect or
     * handshake immediately instead of waiting out a connect timeout. Open connections are left alone.
     * Turning it off also ends a {@link #refuseFor} window.
     */
    public void refuseNewConnections(boolean refuse) {
        refusing = refuse;
        if (!refuse) {
            refuseWindowSet = false;
        }
    }

    /** Refuses new connections, as {@link #refuseNewConnections}, for {@code duration} from now. */
    public void refuseFor(Duration duration) {
        refuseUntilNanos = System.nanoTime() + duration.toNanos();
        refuseWindowSet = true;
    }

    /** Resets every open connection on both sides, as a crashed host or a broken link would. */
    public int cutAll() {
        int cut = 0;
        for (ProxiedConnection c : List.copyOf(connections)) {
            if (c.cut()) {
                cut++;
            }
        }
        connectionsCut.addAndGet(cut);
        if (cut > 0) {
            log.info("fault-proxy {}: cut {} connection(s)", port(), cut);
        }
        return cut;
    }

    /** Starts listening again on the same port after {@link #stop()}; does nothing while running. */
    public void start() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("fault-proxy " + port + " is closed");
            }
            if (state == State.RUNNING) {
                return;
            }
            ServerSocket socket = null;
            try {
                socket = new ServerSocket();
                // the previous listener on this port may have left connections in TIME_WAIT
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            } catch (IOException e) {
                if (socket != null) {
                    closeQuietly(socket);
                }
                throw new UncheckedIOException("fault-proxy could not listen on 127.0.0.1:" + port, e);
            }
            listening = socket;
            port = socket.getLocalPort();
            state = State.RUNNING;
            ServerSocket acceptOn = socket;
            acceptor = new Thread(() -> acceptLoop(acceptOn), "fault-proxy-" + port + "-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            log.debug("fault-proxy {}: forwarding to {}", port, target);
        }
    }

    /** A server outage: stops listening (new connects are refused by the OS) and cuts every connection. */
    public void stop() {
        synchronized (lifecycle) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPED;
            stopListening();
        }
        cutAll();
    }

    /** Stops, cuts every connection and waits for every thread of this proxy to end. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRunning = state == State.RUNNING;
            state = State.CLOSED;
            if (wasRunning) {
                stopListening();
            }
        }
        cutAll();
        joinAll();
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections reset on arrival while refusing; not counted in {@link #connectionsAccepted()}. */
    public long connectionsRefused() {
        return connectionsRefused.get();
    }

    /** Connections reset by {@link #cutAll()}, {@link #stop()} or {@link #close()}. */
    public long connectionsCut() {
        return connectionsCut.get();
    }

    public int openConnections() {
        return connections.size();
    }

    /** Bytes written to either side, both directions together. */
    public long bytesForwarded() {
        return bytesForwarded.sum();
    }

    /**
     * Read chunks the proxy is holding back because of {@link #setLatency}: a test that sees this above zero
     * knows a request (or reply) is in flight and can cut it.
     */
    public int chunksHeld() {
        return chunksHeld.get();
    }

    // called holding lifecycle
    private void stopListening() {
        closeQuietly(listening);
        try {
            acceptor.join(JOIN_TIMEOUT.toMillis());
            if (acceptor.isAlive()) {
                log.warn("fault-proxy {}: acceptor still running after {} ms", port, JOIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("fault-proxy {}: accept failed: {}", socket.getLocalPort(), e.toString());
                }
                return;
            }
            if (isRefusing()) {
                connectionsRefused.incrementAndGet();
                ProxiedConnection.abort(client);
                continue;
            }
            connectionsAccepted.incrementAndGet();
            forward(client, socket.getLocalPort());
        }
    }

    private boolean isRefusing() {
        return refusing || (refuseWindowSet && System.nanoTime() - refuseUntilNanos < 0);
    }

    private void forward(Socket client, int listenPort) {
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(target, (int) CONNECT_TIMEOUT.toMillis());
        } catch (IOException e) {
            // the target is down: the client must see a failure, not a connection that hangs
            log.debug("fault-proxy {}: cannot reach {}: {}", listenPort, target, e.toString());
            ProxiedConnection.abort(client);
            ProxiedConnection.closeQuietly(server);
            return;
        }
        ProxiedConnection c = new ProxiedConnection("fault-proxy-" + listenPort + "-" + connectionIds.incrementAndGet(),
                client, server, () -> latencyNanos, listener);
        unjoined.removeIf(ProxiedConnection::finished);
        connections.add(c);
        unjoined.add(c);
        c.start();
        if (state != State.RUNNING && c.cut()) {
            // stop() gave up waiting for this acceptor and took its snapshot before c was registered
            connectionsCut.incrementAndGet();
        }
    }

    private void joinAll() {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        List<String> stuck = new ArrayList<>();
        for (ProxiedConnection c : List.copyOf(unjoined)) {
            try {
                if (!c.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    stuck.add(c.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            unjoined.remove(c);
        }
        if (!stuck.isEmpty()) {
            log.warn("fault-proxy: threads of {} still running after {} ms", stuck, JOIN_TIMEOUT.toMillis());
        }
    }

    /** The target's address, refused unless it is a loopback one: these proxies never reach out of the machine. */
    static InetAddress loopback(String host) {
        Objects.requireNonNull(host, "targetHost");
        try {
            InetAddress address = InetAddress.getByName(host);
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("targetHost must be a loopback address, was " + host);
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("targetHost cannot be resolved: " + host, e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }
}
