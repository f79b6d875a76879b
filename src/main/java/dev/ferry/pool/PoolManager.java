package dev.ferry.pool;

import dev.ferry.config.ConnectionSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place ferry gets MongoDB clients from: one {@link PooledClient} per configured
 * connection, health checks and idle reaping on the shared scheduler, and a clean close. The
 * scheduler belongs to the caller, who shuts it down after {@link #close()}.
 */
public final class PoolManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolManager.class);

    enum State { NEW, RUNNING, CLOSED }

    private final Map<String, PooledClient> pools;
    private final PoolMaintenance settings;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    public PoolManager(Collection<ConnectionSettings> connections, PoolMaintenance settings, ClientFactory factory,
                       UriResolver uriResolver, ScheduledExecutorService scheduler, Clock clock) {
        this(connections, settings, factory, uriResolver, scheduler, clock, PoolEvents.NONE);
    }

    /** @param events told when a pool goes DOWN, comes back, or is reset */
    public PoolManager(Collection<ConnectionSettings> connections, PoolMaintenance settings, ClientFactory factory,
                       UriResolver uriResolver, ScheduledExecutorService scheduler, Clock clock, PoolEvents events) {
        this.settings = settings;
        this.scheduler = scheduler;
        Map<String, PooledClient> map = new LinkedHashMap<>();
        for (ConnectionSettings c : connections) {
            map.put(c.name(), new PooledClient(c, settings, factory, uriResolver, scheduler, clock, events));
        }
        this.pools = Collections.unmodifiableMap(map);
    }

    /** Schedules health checks and reaping. Clients still open lazily. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("pool manager already " + state.get());
        }
        long health = settings.healthInterval().toMillis();
        long reap = settings.reapInterval().toMillis();
        synchronized (tasks) {
            for (PooledClient pool : pools.values()) {
                // one task per pool, so that a slow ping to one server never delays another's
                tasks.add(scheduler.scheduleWithFixedDelay(guard("health check", pool::checkHealth),
                        health, health, TimeUnit.MILLISECONDS));
            }
            tasks.add(scheduler.scheduleWithFixedDelay(guard("reaper", this::reapIdleNow), reap, reap,
                    TimeUnit.MILLISECONDS));
        }
    }

    private static Runnable guard(String what, Runnable task) {
        // an exception would silently cancel a periodic task: log it and keep the schedule alive
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("pools: {} failed: {}", what, e.toString(), e);
            }
        };
    }

    /** A lease on the named connection's client. */
    public Lease lease(String connectionName) {
        return pool(connectionName).lease();
    }

    public PooledClient pool(String connectionName) {
        PooledClient pool = pools.get(connectionName);
        if (pool == null) {
            throw new UnknownConnectionException("unknown connection '" + connectionName + "' (configured: "
                    + String.join(", ", pools.keySet()) + ")");
        }
        return pool;
    }

    public Collection<PooledClient> pools() {
        return pools.values();
    }

    public boolean isClosed() {
        return state.get() == State.CLOSED;
    }

    /**
     * Refuses new leases, gives leases out up to {@code leaseWait} to return, then closes every
     * client. Idempotent.
     */
    public void close(Duration leaseWait) {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        synchronized (tasks) {
            tasks.forEach(t -> t.cancel(false));
            tasks.clear();
        }
        for (PooledClient pool : pools.values()) {
            pool.close(leaseWait);
        }
        log.info("pools: closed {} connection(s)", pools.size());
    }

    @Override
    public void close() {
        close(settings.drainTimeout());
    }

    public int openClients() {
        return (int) pools.values().stream().filter(PooledClient::isOpen).count();
    }

    public long totalLeases() {
        return pools.values().stream().mapToLong(PooledClient::totalLeases).sum();
    }

    public void resetAll() {
        pools.values().forEach(PooledClient::reset);
    }

    public void reapIdleNow() {
        pools.values().forEach(PooledClient::reapIfIdle);
    }

    public void checkHealthNow() {
        pools.values().forEach(PooledClient::checkHealth);
    }
}
