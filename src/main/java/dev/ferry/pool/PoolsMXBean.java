package dev.ferry.pool;

/** {@code dev.ferry:type=Pools} (README, "JMX: watching and steering ferry"). */
public interface PoolsMXBean {
    String[] getConnectionNames();

    int getOpenClients();

    long getTotalLeases();

    void resetAll();

    void reapIdleNow();

    void checkHealthNow();
}
