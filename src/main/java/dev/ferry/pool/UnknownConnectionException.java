package dev.ferry.pool;

/** A lease was asked for a connection name that the configuration does not define. */
public final class UnknownConnectionException extends IllegalArgumentException {
    public UnknownConnectionException(String message) {
        super(message);
    }
}
