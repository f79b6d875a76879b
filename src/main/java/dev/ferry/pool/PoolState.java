package dev.ferry.pool;

/** What an operator sees as {@code State} of a {@code dev.ferry:type=Pool} bean (docs/monitoring.md, "JMX: watching and steering ferry"). */
public enum PoolState {
    /** No client is open; the next lease opens one. */
    CLOSED,
    /** A client is open and its last health check (if any) passed. */
    OPEN,
    /** No current client, but a retired one still serves leases in flight; it closes when they return. */
    DRAINING,
    /** Consecutive health checks failed; the client is being replaced until a ping succeeds. */
    DOWN
}
