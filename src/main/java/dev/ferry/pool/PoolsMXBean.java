package dev.ferry.pool;

/** {@code dev.ferry:type=Pools} (contract §6). */
public interface PoolsMXBean {
    String[] getConnectionNames();

    int getOpenClients();

    long getTotalLeases();

    void resetAll();

    void reapIdleNow();

    void checkHealthNow();
}
