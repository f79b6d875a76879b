package dev.ferry.bench;

import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.pool.UriResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/** ferry's pool manager with one connection {@code bench}, health and reaping out of the way. */
final class BenchPools {
    static final String CONNECTION = "bench";

    private BenchPools() {
    }

    static PoolManager start(String uri, ScheduledExecutorService scheduler) {
        return start(new ConnectionSettings(CONNECTION, uri, "bench", DriverPoolOptions.DEFAULTS), scheduler);
    }

    /** @param connection named {@link #CONNECTION}, e.g. with its own TLS material */
    static PoolManager start(ConnectionSettings connection, ScheduledExecutorService scheduler) {
        PoolMaintenance quiet = new PoolMaintenance(Duration.ofHours(1), 3, Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        PoolManager manager = new PoolManager(List.of(connection), quiet, ClientFactory.standard(), UriResolver.DIRECT, scheduler,
                Clock.systemUTC());
        manager.start();
        return manager;
    }
}
