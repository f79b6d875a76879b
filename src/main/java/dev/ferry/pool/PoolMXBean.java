package dev.ferry.pool;

import dev.ferry.jmx.Description;

/** {@code dev.ferry:type=Pool,name=NAME} (docs/monitoring.md, "JMX: watching and steering ferry"). Times are ISO-8601 strings, empty when never. */
@Description("One configured MongoDB connection: its one long-lived client, the driver's connection pool, and its"
        + " health. Times are ISO-8601, empty when never")
public interface PoolMXBean {
    @Description("the connection's name, as in connection.NAME.uri")
    String getName();

    @Description("CLOSED (no client open; the next lease opens one), OPEN, DRAINING (only a retired client still"
            + " finishes work in flight) or DOWN (health checks keep failing; jobs wait)")
    String getState();

    @Description("false after a failed health check, until one passes")
    boolean isHealthy();

    @Description("leases held now: chunks being written and source cursors being read on this connection")
    int getLeases();

    @Description("driver connections open now, in use and idle, over every client of this pool")
    long getConnectionsTotal();

    @Description("driver connections checked out by an operation now")
    long getConnectionsInUse();

    @Description("driver connections open but not checked out now")
    long getConnectionsIdle();

    @Description("operations waiting for a driver connection now; above 0 for long, maxPoolSize is too small")
    long getWaitQueueSize();

    @Description("connection.NAME.maxPoolSize: driver connections one client keeps at most")
    int getMaxPoolSize();

    @Description("connection.NAME.minPoolSize: driver connections one client keeps open at least")
    int getMinPoolSize();

    @Description("driver connections opened since the daemon started (a counter)")
    long getConnectionsCreated();

    @Description("driver connections closed since the daemon started (a counter)")
    long getConnectionsClosed();

    @Description("most driver connections open at once since the daemon started")
    long getConnectionsPeak();

    @Description("operations that could not get a driver connection (timeout or error) since the daemon started")
    long getCheckoutFailures();

    @Description("operator resets (reset, resetAll, ferry ctl reset) since the daemon started")
    long getResets();

    @Description("clients replaced after failed health checks since the daemon started")
    long getReconnects();

    @Description("idle clients closed by the reaper since the daemon started")
    long getReaps();

    @Description("MongoClients opened for this connection since the daemon started (first use, resets, reconnects)")
    long getClientsOpened();

    @Description("when the last health ping ran, ISO-8601; empty before the first")
    String getLastHealthCheck();

    @Description("round trip of the last successful health ping in milliseconds; -1 before the first")
    long getLastHealthLatencyMillis();

    @Description("health pings failed in a row; at health.failuresBeforeReconnect the pool is DOWN")
    int getConsecutiveHealthFailures();

    @Description("the last failed health check, else the driver's last failed heartbeat; empty if none")
    String getLastError();

    @Description("when the current client was opened, ISO-8601; empty if none is open")
    String getOpenedAt();

    @Description("when a lease last returned, ISO-8601; empty if none")
    String getLastUsedAt();

    @Description("hosts and database this connection goes to; never a user or password")
    String getTarget();

    @Description("new work gets a fresh client at once; work in flight finishes on the old one, which closes when"
            + " its last lease returns (or after shutdown.timeoutSeconds). No chunk fails")
    void reset();

    @Description("ping the open client now instead of at the next health.intervalSeconds; opens no client")
    void checkHealth();
}
