package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.config.DriverPoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;

/** The pool scenarios of the original fix, run against the embedded server and against real MongoDB. */
final class PoolScenarios {
    private PoolScenarios() {
    }

    /** 1,000 sequential and 1,000 concurrent leases (8 threads): one MongoClient, connections within maxPoolSize. */
    static void reuse(String uri) throws Exception {
        try (PoolFixture f = new PoolFixture(uri, PoolFixture.quiet(), Clock.systemUTC())) {
            for (int i = 0; i < 1000; i++) {
                try (Lease lease = f.manager.lease("test")) {
                    lease.collection("ferrytest", "reuse").insertOne(doc(i));
                }
            }
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = 1000 + t * 125;
                futures.add(threads.submit(() -> {
                    for (int i = 0; i < 125; i++) {
                        try (Lease lease = f.manager.lease("test")) {
                            lease.collection("ferrytest", "reuse").insertOne(doc(base + i));
                        }
                    }
                }));
            }
            for (Future<?> fu : futures) {
                fu.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();

            assertEquals(1, f.clientsCreated.get(), "MongoClients created for 2,000 leases");
            assertEquals(2000, f.manager.totalLeases());
            assertTrue(f.pool().statistics().created() <= DriverPoolOptions.DEFAULTS.maxPoolSize(),
                    "connections created " + f.pool().statistics().created() + " exceed maxPoolSize");
            assertEquals(0, f.pool().leases(), "leases still out");
            try (Lease lease = f.manager.lease("test")) {
                assertEquals(2000, lease.collection("ferrytest", "reuse").countDocuments());
            }
        }
    }

    /** 8 writers for {@code duration} while reset runs every 20 ms and the reaper with idle timeout 0: no error. */
    static void noClosedClientErrors(String uri, Duration duration) throws Exception {
        PoolMaintenance aggressive = new PoolMaintenance(Duration.ofHours(1), 3, Duration.ZERO, Duration.ofMillis(5),
                Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (PoolFixture f = new PoolFixture(uri, aggressive, Clock.systemUTC())) {
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            long until = System.nanoTime() + duration.toNanos();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            List<Future<Integer>> written = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int writer = t;
                written.add(writers.submit(() -> {
                    int n = 0;
                    while (System.nanoTime() < until) {
                        List<BsonDocument> chunk = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            chunk.add(new BsonDocument("_id", new BsonString(writer + "-" + (n + i)))
                                    .append("w", new BsonInt32(writer)));
                        }
                        try (Lease lease = f.manager.lease("test")) {
                            lease.collection("ferrytest", "chunks").insertMany(chunk);
                            n += chunk.size();
                        } catch (Throwable e) {
                            errors.add(e);
                            return n;
                        }
                    }
                    return n;
                }));
            }
            Thread resetter = new Thread(() -> {
                while (System.nanoTime() < until) {
                    f.pool().reset();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "test-resetter");
            resetter.start();
            int total = 0;
            for (Future<Integer> w : written) {
                total += w.get(60, TimeUnit.SECONDS);
            }
            resetter.join();
            writers.shutdown();

            assertEquals(List.of(), errors.stream().map(Throwable::toString).toList(), "errors reaching writers");
            assertTrue(f.pool().resets() > 100, "resets run: " + f.pool().resets());
            try (Lease lease = f.manager.lease("test")) {
                assertEquals(total, lease.collection("ferrytest", "chunks").countDocuments(), "documents written");
            }
        }
    }

    private static BsonDocument doc(int i) {
        return new BsonDocument("_id", new BsonInt32(i)).append("v", new BsonString("value " + i));
    }
}
