package dev.ferry.pool;

import com.mongodb.client.MongoClient;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerMonitorListener;
import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/** A pool manager against one test server, counting the MongoClients it creates. */
final class PoolFixture implements AutoCloseable {
    final AtomicInteger clientsCreated = new AtomicInteger();
    final ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("ferry-test-scheduler", 2);
    final PoolManager manager;

    PoolFixture(String uri, PoolMaintenance settings, Clock clock) {
        this(uri, DriverPoolOptions.DEFAULTS, settings, clock);
    }

    PoolFixture(String uri, DriverPoolOptions options, PoolMaintenance settings, Clock clock) {
        ClientFactory standard = ClientFactory.standard();
        ClientFactory counting = new ClientFactory() {
            @Override
            public <L extends ConnectionPoolListener & ServerMonitorListener> MongoClient create(
                    ConnectionSettings c, String u, L listeners) {
                clientsCreated.incrementAndGet();
                return standard.create(c, u, listeners);
            }
        };
        ConnectionSettings conn = new ConnectionSettings("test", uri, "ferrytest", options);
        manager = new PoolManager(List.of(conn), settings, counting, UriResolver.DIRECT, scheduler, clock);
        manager.start();
    }

    static PoolMaintenance quiet() {
        // health and reaping only when a test asks for them
        return new PoolMaintenance(Duration.ofHours(1), 3, Duration.ofMinutes(5), Duration.ofHours(1),
                Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    PooledClient pool() {
        return manager.pool("test");
    }

    @Override
    public void close() {
        manager.close();
        Executors2.shutdown("ferry-test-scheduler", scheduler, Duration.ofSeconds(5));
    }
}
