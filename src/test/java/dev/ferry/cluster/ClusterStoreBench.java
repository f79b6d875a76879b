package dev.ferry.cluster;

import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolMaintenance;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.UriResolver;
import dev.ferry.testing.TestMongoServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Benchmark 18 (docs/cluster.md, "Scale on paper"): how many lease renewals a second the coordination store takes on
 * the test server — each one majority-acknowledged and fenced, as a member's rounds write them — from one member and
 * from eight at once. Run by {@code BenchMain} ({@code -Dbench.only=18}), never as a unit test.
 */
public final class ClusterStoreBench {
    private ClusterStoreBench() {
    }

    /** @return renewals per second: {one writer, eight writers} */
    public static double[] measure(int renewals) throws Exception {
        ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("bench-cluster", 1);
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try (TestMongoServer server = new TestMongoServer()) {
            PoolManager pools = new PoolManager(List.of(new ConnectionSettings("coord", server.uri(), "ferrycluster",
                    DriverPoolOptions.DEFAULTS)), new PoolMaintenance(Duration.ofHours(1), 3, Duration.ofHours(1),
                    Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofSeconds(2)), ClientFactory.standard(),
                    UriResolver.DIRECT, scheduler, Clock.systemUTC());
            pools.start();
            CoordinationStore store = new CoordinationStore(pools, "coord", "ferrycluster", "bench", Duration.ofSeconds(6));
            double one = rate(store, writers, 1, renewals);
            double eight = rate(store, writers, 8, renewals);
            pools.close(Duration.ofSeconds(1));
            return new double[] {one, eight};
        } finally {
            Executors2.shutdown("bench-writers", writers, Duration.ofSeconds(5));
            Executors2.shutdown("bench-cluster", scheduler, Duration.ofSeconds(5));
        }
    }

    private static double rate(CoordinationStore store, ExecutorService writers, int threads, int renewals)
            throws Exception {
        List<CoordinationStore.Held> held = new ArrayList<>();
        Instant now = Instant.now();
        for (int t = 0; t < threads; t++) {
            held.add(store.acquire("range/" + threads + "/" + t, "m" + t, now, now.plusSeconds(30)).orElseThrow());
        }
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (CoordinationStore.Held h : held) {
            done.add(writers.submit(() -> {
                CoordinationStore.Held current = h;
                for (int i = 0; i < renewals / threads; i++) {
                    Instant at = Instant.now();
                    current = store.renew(current, at, at.plusSeconds(30)).orElseThrow();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        return (renewals / threads) * threads / ((System.nanoTime() - t0) / 1e9);
    }
}
