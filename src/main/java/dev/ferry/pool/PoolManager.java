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
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place ferry gets MongoDB clients from: one {@link PooledClient} per configured
 * connection, health checks and idle reaping on the shared scheduler, and a clean close. The
 * scheduler belongs to the caller, who shuts it down after {@link #close()}.
 *
 * <p>Threading: leases are taken on any thread without a lock (the map of pools is replaced whole, never changed);
 * {@link #apply}, {@link #start} and {@link #close} hold the manager's monitor.
 */
public final class PoolManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolManager.class);

    enum State { NEW, RUNNING, CLOSED }

    private final ClientFactory factory;
    private final UriResolver uriResolver;
    private final Clock clock;
    private final PoolEvents events;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    /** The configured connections, replaced whole by a reload. */
    private volatile Map<String, PooledClient> pools;
    /** Connections a reload removed while running jobs used them: they lease on until {@link #apply}'s predicate frees them. */
    private final Map<String, PooledClient> leaving = new ConcurrentHashMap<>();
    private volatile Predicate<String> stillUsed = name -> false;
    private volatile PoolMaintenance settings;
    private volatile java.util.function.Consumer<String> onRemoved = name -> { };
    private final Map<PooledClient, ScheduledFuture<?>> healthTasks = new HashMap<>();
    private ScheduledFuture<?> reapTask;

    public PoolManager(Collection<ConnectionSettings> connections, PoolMaintenance settings, ClientFactory factory,
                       UriResolver uriResolver, ScheduledExecutorService scheduler, Clock clock) {
        this(connections, settings, factory, uriResolver, scheduler, clock, PoolEvents.NONE);
    }

    /** @param events told when a pool goes DOWN, comes back, or is reset */
    public PoolManager(Collection<ConnectionSettings> connections, PoolMaintenance settings, ClientFactory factory,
                       UriResolver uriResolver, ScheduledExecutorService scheduler, Clock clock, PoolEvents events) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.factory = factory;
        this.uriResolver = uriResolver;
        this.clock = clock;
        this.events = events;
        Map<String, PooledClient> map = new LinkedHashMap<>();
        for (ConnectionSettings c : connections) {
            map.put(c.name(), newPool(c));
        }
        this.pools = Collections.unmodifiableMap(map);
    }

    private PooledClient newPool(ConnectionSettings c) {
        return new PooledClient(c, settings, factory, uriResolver, scheduler, clock, events);
    }

    /** Schedules health checks and reaping. Clients still open lazily. */
    public synchronized void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("pool manager already " + state.get());
        }
        pools.values().forEach(this::scheduleHealth);
        scheduleReaper();
    }

    private void scheduleHealth(PooledClient pool) {
        long health = settings.healthInterval().toMillis();
        // one task per pool, so that a slow ping to one server never delays another's
        ScheduledFuture<?> old = healthTasks.put(pool, scheduler.scheduleWithFixedDelay(
                guard("health check", pool::checkHealth), health, health, TimeUnit.MILLISECONDS));
        if (old != null) {
            old.cancel(false);
        }
    }

    private void scheduleReaper() {
        long reap = settings.reapInterval().toMillis();
        if (reapTask != null) {
            reapTask.cancel(false);
        }
        reapTask = scheduler.scheduleWithFixedDelay(guard("reaper", this::reapIdleNow), reap, reap, TimeUnit.MILLISECONDS);
    }

    /** Told the name of a connection kept for its jobs by {@link #apply} once the reaper removes it. */
    public void onRemoved(java.util.function.Consumer<String> listener) {
        this.onRemoved = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** What {@link #apply} did, by connection name. */
    public record Applied(List<String> added, List<String> changed, List<String> removed, List<String> keptForJobs) {
    }

    /**
     * Takes a reloaded configuration (docs/operations.md, "Reloading the configuration"): a connection added gets its
     * pool; a changed one a new client generation (work in flight finishes on the old one, as after a reset); a removed
     * one takes no new leases and its client closes when the last lease returns, unless {@code stillUsed} says a
     * running job uses it: then it serves that job on and is removed at the first reaper round after the job ends.
     */
    public synchronized Applied apply(Collection<ConnectionSettings> connections, PoolMaintenance maintenance,
            Predicate<String> stillUsed) {
        if (state.get() == State.CLOSED) {
            throw new IllegalStateException("pool manager closed");
        }
        this.stillUsed = stillUsed;
        boolean retimed = !maintenance.equals(settings);
        settings = maintenance;
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        Map<String, PooledClient> next = new LinkedHashMap<>();
        for (ConnectionSettings c : connections) {
            PooledClient pool = pools.get(c.name());
            if (pool == null) {
                pool = leaving.remove(c.name()); // back before its jobs ended: the same pool serves on
            }
            if (pool == null) {
                pool = newPool(c);
                added.add(c.name());
            } else if (!pool.connection().equals(c)) {
                pool.reconfigure(c);
                changed.add(c.name());
            }
            if (retimed) {
                pool.maintenance(maintenance);
            }
            next.put(c.name(), pool);
        }
        List<PooledClient> gone = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (PooledClient pool : pools.values()) {
            if (!next.containsKey(pool.name())) {
                if (stillUsed.test(pool.name())) {
                    leaving.put(pool.name(), pool);
                    kept.add(pool.name());
                } else {
                    gone.add(pool);
                }
            }
        }
        pools = Collections.unmodifiableMap(next);
        gone.forEach(this::removeNow);
        if (state.get() == State.RUNNING) {
            for (PooledClient pool : next.values()) {
                if (retimed || added.contains(pool.name())) {
                    scheduleHealth(pool);
                }
            }
            if (retimed) {
                scheduleReaper();
            }
        }
        return new Applied(added, changed, gone.stream().map(PooledClient::name).toList(), kept);
    }

    private synchronized void removeNow(PooledClient pool) {
        ScheduledFuture<?> health = healthTasks.remove(pool);
        if (health != null) {
            health.cancel(false);
        }
        pool.remove();
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
            pool = leaving.get(connectionName);
        }
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
    public synchronized void close(Duration leaseWait) {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        healthTasks.values().forEach(t -> t.cancel(false));
        healthTasks.clear();
        if (reapTask != null) {
            reapTask.cancel(false);
        }
        List<PooledClient> all = new ArrayList<>(pools.values());
        all.addAll(leaving.values());
        leaving.clear();
        for (PooledClient pool : all) {
            pool.close(leaseWait);
        }
        log.info("pools: closed {} connection(s)", all.size());
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
        leaving.values().forEach(PooledClient::reapIfIdle);
        for (PooledClient pool : List.copyOf(leaving.values())) {
            if (!stillUsed.test(pool.name()) && leaving.remove(pool.name(), pool)) {
                log.info("{}: the last job using it ended; removing it as the reload asked", pool.name());
                removeNow(pool);
                onRemoved.accept(pool.name());
            }
        }
    }

    public void checkHealthNow() {
        pools.values().forEach(PooledClient::checkHealth);
    }
}
