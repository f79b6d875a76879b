package dev.ferry.pool;

/** {@code dev.ferry:type=Pool,name=NAME} (README, "JMX: watching and steering ferry"). Times are ISO-8601 strings, empty when never. */
public interface PoolMXBean {
    String getName();

    String getState();

    boolean isHealthy();

    int getLeases();

    long getConnectionsTotal();

    long getConnectionsInUse();

    long getConnectionsIdle();

    long getWaitQueueSize();

    int getMaxPoolSize();

    int getMinPoolSize();

    long getConnectionsCreated();

    long getConnectionsClosed();

    long getConnectionsPeak();

    long getCheckoutFailures();

    long getResets();

    long getReconnects();

    long getReaps();

    long getClientsOpened();

    String getLastHealthCheck();

    long getLastHealthLatencyMillis();

    int getConsecutiveHealthFailures();

    String getLastError();

    String getOpenedAt();

    String getLastUsedAt();

    String getTarget();

    void reset();

    void checkHealth();
}
