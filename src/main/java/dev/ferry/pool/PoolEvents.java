package dev.ferry.pool;

/**
 * What the pools tell whoever watches them: a connection went DOWN, came back, or was reset. Called
 * on the health-check or operator thread that saw it; implementations return quickly and never throw.
 * The pool package knows no JMX: the daemon's wiring turns these into notifications.
 */
public interface PoolEvents {
    /** For a pool manager nobody watches (tests, {@code ferry check-pool}). */
    PoolEvents NONE = new PoolEvents() {
    };

    /** {@code failures} health checks failed in a row; the client is being replaced until a ping passes. */
    default void down(String connection, int failures, String lastError) {
    }

    /** The first passing health check after the pool was DOWN. */
    default void up(String connection, int failedChecks) {
    }

    /**
     * An operator reset the connection.
     *
     * @param client the number of the client new work uses now, or 0 if none was open (nothing replaced)
     */
    default void reset(String connection, long client) {
    }
}
