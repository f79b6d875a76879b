package dev.ferry.pool;

/** A lease was asked for after the pool manager began to close. */
public final class PoolClosedException extends IllegalStateException {
    public PoolClosedException(String message) {
        super(message);
    }
}
