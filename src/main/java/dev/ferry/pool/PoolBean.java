package dev.ferry.pool;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code dev.ferry:type=Pool,name=NAME}: a read-only view of one {@link PooledClient} for JMX,
 * registered by the daemon's wiring. Only reads counters; the operations delegate.
 */
public final class PoolBean implements PoolMXBean {
    private final PooledClient pool;

    public PoolBean(PooledClient pool) {
        this.pool = pool;
    }

    @Override
    public String getName() {
        return pool.name();
    }

    @Override
    public String getState() {
        return pool.state().name();
    }

    @Override
    public boolean isHealthy() {
        return pool.isHealthy();
    }

    @Override
    public int getLeases() {
        return pool.leases();
    }

    @Override
    public long getConnectionsTotal() {
        return pool.statistics().open();
    }

    @Override
    public long getConnectionsInUse() {
        return pool.statistics().inUse();
    }

    @Override
    public long getConnectionsIdle() {
        return pool.statistics().idle();
    }

    @Override
    public long getWaitQueueSize() {
        return pool.statistics().waitQueueSize();
    }

    @Override
    public int getMaxPoolSize() {
        return pool.connection().options().maxPoolSize();
    }

    @Override
    public int getMinPoolSize() {
        return pool.connection().options().minPoolSize();
    }

    @Override
    public long getConnectionsCreated() {
        return pool.statistics().created();
    }

    @Override
    public long getConnectionsClosed() {
        return pool.statistics().closed();
    }

    @Override
    public long getConnectionsPeak() {
        return pool.statistics().peakOpen();
    }

    @Override
    public long getCheckoutFailures() {
        return pool.statistics().checkoutFailures();
    }

    @Override
    public long getResets() {
        return pool.resets();
    }

    @Override
    public long getReconnects() {
        return pool.reconnects();
    }

    @Override
    public long getReaps() {
        return pool.reaps();
    }

    @Override
    public long getClientsOpened() {
        return pool.clientsOpened();
    }

    @Override
    public String getLastHealthCheck() {
        return iso(Optional.ofNullable(pool.health().lastCheck()));
    }

    @Override
    public long getLastHealthLatencyMillis() {
        return pool.health().lastLatencyMillis();
    }

    @Override
    public int getConsecutiveHealthFailures() {
        return pool.health().consecutiveFailures();
    }

    @Override
    public String getLastError() {
        return pool.lastError();
    }

    @Override
    public String getOpenedAt() {
        return iso(pool.openedAt());
    }

    @Override
    public String getLastUsedAt() {
        return iso(pool.lastUsedAt());
    }

    @Override
    public String getTarget() {
        return pool.target();
    }

    @Override
    public void reset() {
        pool.reset();
    }

    @Override
    public void checkHealth() {
        pool.checkHealth();
    }

    private static String iso(Optional<Instant> instant) {
        return instant.map(Instant::toString).orElse("");
    }
}
