package dev.ferry.pool;

import dev.ferry.config.FerrySettings;
import java.time.Duration;
import java.util.Objects;

/**
 * The timing of health checks, reaping and draining. Tests build it directly with short durations;
 * the daemon derives it from {@link FerrySettings}.
 *
 * @param drainTimeout how long a retired client waits for its last lease before it is closed anyway
 *                     (the chunk still holding it is then retried on the new client)
 * @param healthTimeout the bound on one ping, so that a dead server cannot stall the scheduler
 */
public record PoolMaintenance(
        Duration healthInterval,
        int failuresBeforeReconnect,
        Duration idleTimeout,
        Duration reapInterval,
        Duration drainTimeout,
        Duration healthTimeout) {

    public PoolMaintenance {
        Objects.requireNonNull(healthInterval, "healthInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(reapInterval, "reapInterval");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(healthTimeout, "healthTimeout");
        if (healthInterval.isNegative() || healthInterval.isZero()) {
            throw new IllegalArgumentException("healthInterval must be positive, was " + healthInterval);
        }
        if (reapInterval.isNegative() || reapInterval.isZero()) {
            throw new IllegalArgumentException("reapInterval must be positive, was " + reapInterval);
        }
        if (failuresBeforeReconnect < 1) {
            throw new IllegalArgumentException("failuresBeforeReconnect must be at least 1, was " + failuresBeforeReconnect);
        }
        if (idleTimeout.isNegative() || drainTimeout.isNegative() || healthTimeout.isNegative() || healthTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout, drainTimeout and healthTimeout must not be negative");
        }
    }

    public static PoolMaintenance from(FerrySettings s) {
        // a ping never needs longer than 5 s to tell us something; never longer than the interval either
        Duration healthTimeout = s.healthInterval().compareTo(Duration.ofSeconds(5)) < 0
                ? s.healthInterval() : Duration.ofSeconds(5);
        return new PoolMaintenance(s.healthInterval(), s.healthFailuresBeforeReconnect(), s.poolIdleTimeout(),
                s.poolReapInterval(), s.shutdownTimeout(), healthTimeout);
    }
}
