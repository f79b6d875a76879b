package dev.ferry.pool;

import dev.ferry.jmx.Description;

/** {@code dev.ferry:type=Pools} (docs/monitoring.md, "JMX: watching and steering ferry"); its notifications are {@link PoolNotifications}'. */
@Description("All connection pools of this ferry daemon together. Notifications: ferry.pool.down, ferry.pool.up,"
        + " ferry.pool.reset")
public interface PoolsMXBean {
    @Description("the configured connection names; each has a dev.ferry:type=Pool,name=NAME bean")
    String[] getConnectionNames();

    @Description("MongoClients open now, over all pools (a pool opens its client on first use)")
    int getOpenClients();

    @Description("leases held now, over all pools: chunks being written and source cursors being read")
    long getTotalLeases();

    @Description("reset every open pool: new work gets fresh clients at once; work in flight finishes on the old"
            + " ones, which close when their last lease returns")
    void resetAll();

    @Description("close every client no lease used for pool.idleTimeoutSeconds, now instead of at the next reaper run")
    void reapIdleNow();

    @Description("ping every open client now instead of at the next health.intervalSeconds")
    void checkHealthNow();
}
