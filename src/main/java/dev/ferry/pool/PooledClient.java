package dev.ferry.pool;

import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-lived, pooled client of one named connection (the driver pools its connections; this
 * class holds the one client that owns them). Work takes a {@link Lease}; the client is
 * opened on the first lease and then reused by every chunk and job. A reset, a health reconnect or
 * the reaper retires a client generation; a retired client closes only once no lease holds it, so
 * no operation ever runs on a closed client ("state should be: open" / "Topology is closed").
 */
public final class PooledClient {
    private static final Logger log = LoggerFactory.getLogger(PooledClient.class);

    private volatile ConnectionSettings connection;
    private volatile PoolMaintenance settings;
    private final ClientFactory factory;
    private final UriResolver uriResolver;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final PoolStatistics stats = new PoolStatistics();
    private final PoolHealth health;
    private final PoolEvents events;

    private final AtomicReference<ClientGeneration> current = new AtomicReference<>();
    private final Set<ClientGeneration> retiring = ConcurrentHashMap.newKeySet();
    private final ReentrantLock openLock = new ReentrantLock();
    private final AtomicLong generations = new AtomicLong();
    private final LongAdder totalLeases = new LongAdder();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong reaps = new AtomicLong();
    private final ReentrantLock healthLock = new ReentrantLock();
    private volatile boolean closed;
    private volatile boolean removed;
    private volatile Instant openedAt;
    private volatile String target;

    PooledClient(ConnectionSettings connection, PoolMaintenance settings, ClientFactory factory,
                   UriResolver uriResolver, ScheduledExecutorService scheduler, Clock clock, PoolEvents events) {
        this.connection = connection;
        this.settings = settings;
        this.factory = factory;
        this.uriResolver = uriResolver;
        this.scheduler = scheduler;
        this.clock = clock;
        this.target = describeTarget(connection, null);
        this.health = new PoolHealth(connection.name(), settings, clock);
        this.events = events;
    }

    public String name() {
        return connection.name();
    }

    public ConnectionSettings connection() {
        return connection;
    }

    /** Takes a lease, opening the client if none is open. Never returns a closed client. */
    public Lease lease() {
        while (true) {
            if (closed) {
                throw new PoolClosedException(name() + ": ferry is shutting down, no new work is accepted");
            }
            if (removed) {
                throw new UnknownConnectionException("connection '" + name() + "' was removed from the configuration "
                        + "by a reload");
            }
            ClientGeneration g = current.get();
            if (g == null) {
                g = openIfAbsent();
                if (g == null) {
                    continue;
                }
            } else if (!g.tryAcquire(clock.millis())) {
                // closed by the reaper between our read and our acquire: make way for a new one
                current.compareAndSet(g, null);
                continue;
            } else if (g.isRetired()) {
                // a reset swapped it out while we were acquiring: new work belongs on the new client
                release(g);
                continue;
            }
            totalLeases.increment();
            return new Lease(this, g);
        }
    }

    void release(ClientGeneration g) {
        if (g.release(clock.millis())) {
            retiring.remove(g);
            log.debug("{}: retired client #{} closed after its last lease returned", name(), g.number());
        }
    }

    /** @return a new generation with the caller's lease already counted, or null if another thread opened one */
    private ClientGeneration openIfAbsent() {
        openLock.lock();
        try {
            if (current.get() != null) {
                return null;
            }
            if (closed) {
                throw new PoolClosedException(name() + ": ferry is shutting down, no new work is accepted");
            }
            if (removed) {
                return null; // lease() throws on its next turn
            }
            ClientGeneration g = newGeneration();
            current.set(g);
            log.info("{}: opened client #{} to {}", name(), g.number(), target);
            return g;
        } finally {
            openLock.unlock();
        }
    }

    private ClientGeneration newGeneration() {
        ConnectionSettings c = connection; // one read: a reload may swap it meanwhile
        String uri = uriResolver.resolve(c);
        target = describeTarget(c, uri);
        MongoClient client = factory.create(c, uri, stats);
        openedAt = clock.instant();
        return new ClientGeneration(client, generations.incrementAndGet(), clock.millis());
    }

    /** Graceful reset (README, "The problem it solves"): new leases get a fresh client at once; the old one drains. */
    public void reset() {
        resets.incrementAndGet();
        boolean replaced = replaceClient();
        if (replaced) {
            log.info("{}: reset: new work uses client #{}; the old client closes when its leases return",
                    name(), generations.get());
        }
        events.reset(name(), replaced ? generations.get() : 0);
    }

    /**
     * A reload changed this connection (uri, database, pool options or TLS files): new leases get a client built from
     * {@code changed} at once, work in flight finishes on the old client, which closes when its last lease returns.
     */
    void reconfigure(ConnectionSettings changed) {
        openLock.lock();
        try {
            connection = changed;
            target = describeTarget(changed, null);
        } finally {
            openLock.unlock();
        }
        if (replaceClient()) {
            log.info("{}: reloaded: new work uses client #{} with the new settings; the old client closes when its "
                    + "leases return", name(), generations.get());
        } else {
            log.info("{}: reloaded: the next lease opens a client with the new settings", name());
        }
    }

    /** A reload took the health and reaping timings from a new configuration. */
    void maintenance(PoolMaintenance changed) {
        settings = changed;
        health.maintenance(changed);
    }

    /**
     * A reload removed this connection and no running job uses it: no new leases; the open client closes when its
     * last lease returns (at once if none is out).
     */
    void remove() {
        ClientGeneration old;
        openLock.lock();
        try {
            removed = true;
            old = current.getAndSet(null);
        } finally {
            openLock.unlock();
        }
        if (old != null) {
            retire(old);
        }
        log.info("{}: removed by a reload: no new leases{}", name(), old == null ? "" : "; its client closes when its "
                + "last lease returns");
    }

    private boolean replaceClient() {
        ClientGeneration fresh;
        ClientGeneration old;
        openLock.lock();
        try {
            if (closed || removed || current.get() == null) {
                return false;
            }
            fresh = newGeneration();
            old = current.getAndSet(fresh);
        } finally {
            openLock.unlock();
        }
        release(fresh); // drop the opener's lease: the new client waits for work
        if (old != null) {
            retire(old);
        }
        return true;
    }

    private void retire(ClientGeneration old) {
        retiring.add(old);
        if (old.retire()) {
            retiring.remove(old);
            return;
        }
        try {
            scheduler.schedule(() -> forceCloseIfStillDraining(old), settings.drainTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the scheduler is shutting down; close() force-closes whatever is left
        }
    }

    private void forceCloseIfStillDraining(ClientGeneration old) {
        if (!old.isClosed()) {
            log.warn("{}: retired client #{} still had {} lease(s) after {} s; closing it, their chunks retry "
                    + "on the new client", name(), old.number(), old.leases(), settings.drainTimeout().toSeconds());
            old.forceClose();
        }
        retiring.remove(old);
    }

    /** Closes the client if no lease holds it and it was unused for the idle timeout. */
    void reapIfIdle() {
        ClientGeneration g = current.get();
        if (g == null || g.leases() > 0) {
            return;
        }
        long idleMillis = clock.millis() - g.lastUsedMillis();
        if (idleMillis >= settings.idleTimeout().toMillis() && g.closeIfUnused()) {
            current.compareAndSet(g, null);
            reaps.incrementAndGet();
            log.info("{}: closed client #{}, unused for {} s; the next lease reopens it",
                    name(), g.number(), idleMillis / 1000);
        }
    }

    /** Pings the open client; after {@code failuresBeforeReconnect} failures, replaces it until a ping passes. */
    public void checkHealth() {
        if (!healthLock.tryLock()) {
            return; // a check is already running: one at a time is enough
        }
        try {
            ClientGeneration g = current.get();
            if (g == null || closed || !g.tryAcquireQuietly()) {
                return; // nothing open: nothing to check, and a ping must not keep a client from being reaped
            }
            int failures;
            int failedBefore = health.consecutiveFailures();
            try {
                failures = health.check(g.client());
            } finally {
                if (g.releaseQuietly()) {
                    retiring.remove(g);
                }
            }
            announceTransition(failedBefore, failures);
            if (failures >= settings.failuresBeforeReconnect()) {
                reconnects.incrementAndGet();
                if (replaceClient()) {
                    log.warn("{}: DOWN after {} failed health checks; replaced the client (#{})",
                            name(), failures, generations.get());
                }
            }
        } finally {
            healthLock.unlock();
        }
    }

    /** Checks run one at a time (healthLock), so each crossing of the DOWN threshold is told once. */
    private void announceTransition(int failedBefore, int failures) {
        int threshold = settings.failuresBeforeReconnect();
        if (failedBefore < threshold && failures >= threshold) {
            events.down(name(), failures, health.lastError());
        } else if (failedBefore >= threshold && failures == 0) {
            events.up(name(), failedBefore);
        }
    }

    /** Stops new leases, waits up to {@code wait} for leases out, then closes every client. */
    void close(Duration wait) {
        closed = true;
        long deadline = System.nanoTime() + wait.toNanos();
        while (leases() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        if (leases() > 0) {
            log.warn("{}: closing with {} lease(s) still out after {} ms", name(), leases(), wait.toMillis());
        }
        ClientGeneration g = current.getAndSet(null);
        if (g != null) {
            g.forceClose();
        }
        for (ClientGeneration r : List.copyOf(retiring)) {
            r.forceClose();
            retiring.remove(r);
        }
    }

    boolean isOpen() {
        return current.get() != null;
    }

    long totalLeases() {
        return totalLeases.sum();
    }

    /** The client generation new leases get now, or 0 if none is open. */
    public long currentGeneration() {
        ClientGeneration g = current.get();
        return g == null ? 0 : g.number();
    }

    public PoolState state() {
        ClientGeneration g = current.get();
        if (g != null && health.isDown()) {
            return PoolState.DOWN;
        }
        if (g != null) {
            return PoolState.OPEN;
        }
        return retiring.isEmpty() ? PoolState.CLOSED : PoolState.DRAINING;
    }

    static String describeTarget(ConnectionSettings c, String resolvedUri) {
        String database = c.defaultDatabase().orElse("");
        if (c.embedded()) {
            String where = c.embeddedDir().map(d -> "embedded:" + d).orElse("embedded (in memory)");
            String hosts = resolvedUri == null ? "" : " at " + String.join(",", new ConnectionString(resolvedUri).getHosts());
            return where + hosts + "/" + database;
        }
        ConnectionString cs = new ConnectionString(c.uri());
        String scheme = c.uri().startsWith("mongodb+srv://") ? "mongodb+srv://" : "mongodb://";
        return scheme + String.join(",", cs.getHosts()) + "/" + database;
    }

    // ---- what the Pool MXBean (PoolBean) and the self-check read ----

    public boolean isHealthy() {
        return health.isHealthy();
    }

    /** Leases out now: on the current client and on retired ones still draining. */
    public int leases() {
        int n = 0;
        ClientGeneration g = current.get();
        if (g != null) {
            n += g.leases();
        }
        for (ClientGeneration r : retiring) {
            n += r.leases();
        }
        return n;
    }

    /** Connection counts from the driver's pool events. */
    PoolStatistics statistics() {
        return stats;
    }

    PoolHealth health() {
        return health;
    }

    public long resets() {
        return resets.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    public long reaps() {
        return reaps.get();
    }

    /** Clients (generations) opened since start. */
    public long clientsOpened() {
        return generations.get();
    }

    /** The last failed health check, else the last failed heartbeat of the driver's own monitor. */
    public String lastError() {
        String lastError = health.lastError();
        if (lastError.isEmpty()) {
            String heartbeat = stats.lastHeartbeatError();
            lastError = heartbeat == null ? "" : Redaction.uri(heartbeat);
        }
        return lastError.isEmpty() ? "" : TlsCheck.withHint(connection, lastError);
    }

    /** The uri the driver gets (an embedded store's loopback port filled in). */
    String resolvedUri() {
        return uriResolver.resolve(connection);
    }

    public Optional<Instant> openedAt() {
        return isOpen() ? Optional.ofNullable(openedAt) : Optional.empty();
    }

    public Optional<Instant> lastUsedAt() {
        ClientGeneration g = current.get();
        return g == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(g.lastUsedMillis()));
    }

    /** Hosts and database, never the password. */
    public String target() {
        return target;
    }
}
