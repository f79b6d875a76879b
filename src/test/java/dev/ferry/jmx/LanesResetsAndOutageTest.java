package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job in 8 lanes while an operator resets its destination pool every 100 ms and the destination is
 * unreachable for 10 s: nothing is lost, the job does not fail, and the pool's open connections stay
 * within what a reset's drain allows: {@code maxPoolSize} for the new client plus the old one's until
 * its leases return (docs/jobs.md, "Limits"), twice {@code maxPoolSize} at most.
 */
class LanesResetsAndOutageTest {
    private static final int DOCUMENTS = 40_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void resetsEveryHundredMillisAndATenSecondOutageLoseNothingAndFailNothing() throws Exception {
        try (TestMongoServer server = new TestMongoServer();
             FaultProxy proxy = new FaultProxy("127.0.0.1", server.port())) {
            FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:" + proxy.port() + "/ferrytest")
                    .set("job.lanes", "8").set("retry.maxAttempts", "5");
            Path data = JmxHarness.ndjson(conf, "lanes", DOCUMENTS);
            try (JmxHarness jmx = new JmxHarness(conf)) {
                ObjectName pool = JmxHarness.pool("dest");
                long maxPoolSize = jmx.getLong(pool, "MaxPoolSize");
                AtomicBoolean resetting = new AtomicBoolean(true);
                AtomicLong peakConnections = new AtomicLong();
                Thread operator = new Thread(() -> {
                    while (resetting.get()) {
                        jmx.invoke(pool, "reset");
                        peakConnections.accumulateAndGet(jmx.getLong(pool, "ConnectionsTotal"), Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "operator-resets");
                operator.start();
                try {
                    new Spooler(conf.spool()).drop("lanes.json", JmxHarness.fileJob(data, "lanes", 250));
                    jmx.awaitJobChunks("lanes", 20, WAIT);
                    proxy.stop();
                    long down = System.nanoTime();
                    assertTrue(jmx.isRegistered(JmxHarness.job("lanes")), "the outage began while the job ran");
                    Await.until(Duration.ofSeconds(30), () -> "DOWN".equals(jmx.get(pool, "State"))
                            || Duration.ofNanos(System.nanoTime() - down).toSeconds() >= 10, "the outage");
                    while (Duration.ofNanos(System.nanoTime() - down).toSeconds() < 10) {
                        Thread.sleep(100);
                    }
                    proxy.start();
                    Document result = new Spooler(conf.spool()).awaitDone("lanes", WAIT);
                    assertEquals((long) DOCUMENTS, ((Number) result.get("documentsRead")).longValue());
                } finally {
                    resetting.set(false);
                    operator.join(5000);
                }
                assertTrue(peakConnections.get() <= 2 * maxPoolSize, "open connections peaked at "
                        + peakConnections.get() + " with maxPoolSize " + maxPoolSize);
                assertTrue(jmx.getLong(pool, "Resets") >= 50, "resets made: " + jmx.getLong(pool, "Resets"));
            }
            assertEquals(DOCUMENTS, JmxHarness.count(server, "lanes"), "every document once");
        }
    }
}
