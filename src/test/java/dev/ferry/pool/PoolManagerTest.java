package dev.ferry.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import dev.ferry.config.DriverPoolOptions;
import dev.ferry.testing.Await;
import dev.ferry.testing.MutableClock;
import dev.ferry.testing.TestMongoServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PoolManagerTest {
    private TestMongoServer server;

    @BeforeEach
    void startServer() {
        server = new TestMongoServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void thousandLeasesSequentialAndFromEightThreadsShareOneClient() throws Exception {
        PoolScenarios.reuse(server.uri());
    }

    @Test
    void writersSeeNoErrorWhileResetEvery20msAndReaperWithZeroIdleTimeoutRun() throws Exception {
        PoolScenarios.noClosedClientErrors(server.uri(), Duration.ofSeconds(10));
    }

    @Test
    void longOperationCompletesWhileResetAndReapRun() throws Exception {
        PoolMaintenance aggressive = new PoolMaintenance(Duration.ofHours(1), 3, Duration.ZERO, Duration.ofMillis(5),
                Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (PoolFixture f = new PoolFixture(server.uri(), aggressive, Clock.systemUTC())) {
            CountDownLatch leased = new CountDownLatch(1);
            Future<Long> longOp = Executors.newSingleThreadExecutor().submit(() -> {
                try (Lease lease = f.manager.lease("test")) {
                    MongoCollection<BsonDocument> c = lease.collection("ferrytest", "long");
                    c.insertOne(doc(1));
                    leased.countDown();
                    // the scenario itself: an operation that keeps its client for seconds
                    for (int i = 2; i <= 30; i++) {
                        Thread.sleep(100);
                        c.insertOne(doc(i));
                    }
                    return c.countDocuments();
                }
            });
            assertTrue(leased.await(10, TimeUnit.SECONDS));
            long generationOfLongOp = f.pool().currentGeneration();
            for (int i = 0; i < 20; i++) {
                f.pool().reset();
                f.manager.reapIdleNow();
                Thread.sleep(50);
            }
            assertEquals(30, longOp.get(30, TimeUnit.SECONDS));
            assertNotEquals(generationOfLongOp, f.pool().currentGeneration());
            Await.until(Duration.ofSeconds(5), () -> f.pool().leases() == 0, "leases returned");
        }
    }

    @Test
    void poolTurnsDownWhenServerStopsAndRecoversWhenItReturnsOnTheSamePort() {
        PoolMaintenance fastHealth = new PoolMaintenance(Duration.ofMillis(100), 3, Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ofMillis(300));
        DriverPoolOptions quickSelect = new DriverPoolOptions(10, 0, 30_000, 500, 0, 500, true, true);
        try (PoolFixture f = new PoolFixture(server.uri(), quickSelect, fastHealth, Clock.systemUTC())) {
            try (Lease lease = f.manager.lease("test")) {
                lease.collection("ferrytest", "h").insertOne(doc(1));
            }
            Await.until(Duration.ofSeconds(5), () -> f.pool().health().lastLatencyMillis() >= 0, "first ping");
            assertEquals("OPEN", f.pool().state().name());

            server.stop();
            Await.until(Duration.ofSeconds(20), () -> f.pool().state().name().equals("DOWN"), "pool DOWN");
            assertFalse(f.pool().isHealthy());
            assertTrue(f.pool().health().consecutiveFailures() >= 3);
            assertFalse(f.pool().lastError().isEmpty());

            server.restart();
            Await.until(Duration.ofSeconds(20), () -> f.pool().isHealthy() && f.pool().state().name().equals("OPEN"),
                    "pool healthy again");
            assertTrue(f.pool().reconnects() >= 1, "reconnects counted");
            try (Lease lease = f.manager.lease("test")) {
                lease.collection("ferrytest", "h").insertOne(doc(2));
            }
        }
    }

    @Test
    void idleClientIsReapedAndReopenedButALeasedOneNeverIs() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
        try (PoolFixture f = new PoolFixture(server.uri(), PoolFixture.quiet(), clock)) {
            try (Lease lease = f.manager.lease("test")) {
                lease.collection("ferrytest", "r").insertOne(doc(1));
            }
            clock.advance(Duration.ofMinutes(4));
            f.manager.reapIdleNow();
            assertEquals("OPEN", f.pool().state().name(), "reaped before the idle timeout");

            clock.advance(Duration.ofMinutes(1));
            f.manager.reapIdleNow();
            assertEquals("CLOSED", f.pool().state().name(), "idle client not reaped after 5 minutes");
            assertEquals(1, f.pool().reaps());

            try (Lease lease = f.manager.lease("test")) {
                assertEquals(1, lease.collection("ferrytest", "r").countDocuments());
                assertEquals(2, f.clientsCreated.get(), "a new lease reopens the client");
                clock.advance(Duration.ofHours(1));
                f.manager.reapIdleNow();
                assertEquals("OPEN", f.pool().state().name(), "a leased client was reaped");
                assertEquals(1, lease.collection("ferrytest", "r").countDocuments());
            }
        }
    }

    @Test
    void healthPingsDoNotKeepAnIdleClientAlive() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T00:00:00Z"));
        try (PoolFixture f = new PoolFixture(server.uri(), PoolFixture.quiet(), clock)) {
            f.manager.lease("test").close();
            clock.advance(Duration.ofMinutes(5));
            f.manager.checkHealthNow();
            f.manager.reapIdleNow();
            assertEquals("CLOSED", f.pool().state().name());
        }
    }

    @Test
    void closeLeavesNoConnectionAndNoFerryThreadAndIsIdempotent() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        PoolFixture f = new PoolFixture(server.uri(), PoolFixture.quiet(), Clock.systemUTC());
        try (Lease lease = f.manager.lease("test")) {
            lease.collection("ferrytest", "c").insertOne(doc(1));
        }
        f.pool().reset();
        try (Lease lease = f.manager.lease("test")) {
            lease.collection("ferrytest", "c").insertOne(doc(2));
        }
        assertTrue(server.establishedConnections() > 0, "the test sees connections while open");
        f.close();
        f.close();
        f.manager.close();

        Await.until(Duration.ofSeconds(10), () -> server.establishedConnections() == 0,
                "server sees no connection from ferry; still " + server.establishedConnections());
        assertEquals(0, f.pool().statistics().open());
        Await.until(Duration.ofSeconds(10), () -> newLiveThreads(before).isEmpty(),
                "no ferry or driver thread alive: " + newLiveThreads(before));
        assertThrows(PoolClosedException.class, () -> f.manager.lease("test"));
    }

    @Test
    void unknownConnectionIsNamed() {
        try (PoolFixture f = new PoolFixture(server.uri(), PoolFixture.quiet(), Clock.systemUTC())) {
            UnknownConnectionException e = assertThrows(UnknownConnectionException.class, () -> f.manager.lease("nope"));
            assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    private static Set<String> newLiveThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .filter(n -> n.startsWith("ferry") || n.startsWith("cluster-") || n.startsWith("MaintenanceTimer"))
                .collect(Collectors.toSet());
    }

    private static BsonDocument doc(int i) {
        return new BsonDocument("_id", new BsonInt32(i)).append("v", new BsonString("value " + i));
    }
}
