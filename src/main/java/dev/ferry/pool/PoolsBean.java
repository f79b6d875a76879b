package dev.ferry.pool;

/** {@code dev.ferry:type=Pools}: the pool manager as JMX sees it, registered by the daemon's wiring. */
public final class PoolsBean implements PoolsMXBean {
    private final PoolManager manager;

    public PoolsBean(PoolManager manager) {
        this.manager = manager;
    }

    @Override
    public String[] getConnectionNames() {
        return manager.pools().stream().map(PooledClient::name).toArray(String[]::new);
    }

    @Override
    public int getOpenClients() {
        return manager.openClients();
    }

    @Override
    public long getTotalLeases() {
        return manager.totalLeases();
    }

    @Override
    public void resetAll() {
        manager.resetAll();
    }

    @Override
    public void reapIdleNow() {
        manager.reapIdleNow();
    }

    @Override
    public void checkHealthNow() {
        manager.checkHealthNow();
    }
}
