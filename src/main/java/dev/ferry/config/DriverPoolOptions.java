package dev.ferry.config;

import java.util.List;

/**
 * The pool options of one connection, as fixed by the original fix (docs/configuration.md, "Configuration reference"). Validated when
 * built; a bad value is rejected, never adjusted.
 */
public record DriverPoolOptions(
        int maxPoolSize,
        int minPoolSize,
        long maxIdleTimeMS,
        long serverSelectionTimeoutMS,
        long socketTimeoutMS,
        long connectTimeoutMS,
        boolean retryWrites,
        boolean retryReads) {

    public static final DriverPoolOptions DEFAULTS = new DriverPoolOptions(10, 2, 30_000, 10_000, 0, 10_000, true, true);

    /** The option names as they appear after {@code connection.NAME.} in ferry.properties. */
    public static final List<String> KEYS = List.of(
            "maxPoolSize", "minPoolSize", "maxIdleTimeMS", "serverSelectionTimeoutMS",
            "socketTimeoutMS", "connectTimeoutMS", "retryWrites", "retryReads");

    public DriverPoolOptions {
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
        }
        if (minPoolSize < 0) {
            throw new IllegalArgumentException("minPoolSize must not be negative, was " + minPoolSize);
        }
        if (minPoolSize > maxPoolSize) {
            throw new IllegalArgumentException(
                    "minPoolSize (" + minPoolSize + ") must not exceed maxPoolSize (" + maxPoolSize + ")");
        }
        requireNonNegative("maxIdleTimeMS", maxIdleTimeMS);
        requireNonNegative("serverSelectionTimeoutMS", serverSelectionTimeoutMS);
        requireNonNegative("socketTimeoutMS", socketTimeoutMS);
        requireNonNegative("connectTimeoutMS", connectTimeoutMS);
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }
}
