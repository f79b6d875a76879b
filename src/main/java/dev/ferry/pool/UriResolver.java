package dev.ferry.pool;

import dev.ferry.config.ConnectionSettings;

/** Turns a connection's configured uri into one the driver can use (e.g. an embedded store's port). */
@FunctionalInterface
public interface UriResolver {

    String resolve(ConnectionSettings connection);

    /** For configurations without {@code embedded:} connections. */
    UriResolver DIRECT = c -> {
        if (c.uriDeferred()) {
            throw new IllegalStateException(c.name() + ": uri not resolved by this command");
        }
        if (c.embedded()) {
            throw new IllegalStateException(c.name() + ": embedded store not available in this process");
        }
        return c.uri();
    };
}
