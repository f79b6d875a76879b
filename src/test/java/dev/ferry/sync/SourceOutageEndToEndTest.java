package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Projections;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.PoolMXBean;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.stream.IntStream;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy job from a mongodb source whose server goes away in the middle of the job (the proxy between
 * ferry and the source stops, as a network outage would) for longer than the backoffs of
 * {@code retry.maxAttempts} attempts, then comes back on the same address. What the user sees: while the
 * source pool is {@code DOWN} the job waits, its Job MXBean's {@code State} is {@code WAITING_FOR_SOURCE}
 * and it uses no attempt; once the source is back the job completes with every document copied once.
 * This is what a DOWN destination gets (the twin below, and {@link OutageEndToEndTest}) and what a follow
 * job's DOWN source gets. Issue 18, defect 3: today the copy job's reads use up their attempts against the
 * DOWN source and the job fails {@code gave-up-after-retries} ("no MongoDB server answered in time").
 */
class SourceOutageEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int DOCUMENTS = 400;
    private static final int CHUNK = 10;
    private static final int MAX_ATTEMPTS = 5;

    /** Defect 3: the source's outage. */
    @Test
    void aCopyJobWaitsForItsDownSourceAndCompletesWithEveryDocumentOnce(@TempDir Path dir) throws IOException {
        outage(dir, "src", "WAITING_FOR_SOURCE");
    }

    /** The sibling that works today: the same outage of the destination. */
    @Test
    void aCopyJobWaitsForItsDownDestinationAndCompletesWithEveryDocumentOnce(@TempDir Path dir) throws IOException {
        outage(dir, "dest", "WAITING_FOR_DESTINATION");
    }

    /**
     * @param down    the connection whose server goes away: {@code src} or {@code dest}
     * @param waiting the Job's State expected meanwhile
     */
    private static void outage(Path dir, String down, String waiting) throws IOException {
        boolean sourceDown = down.equals("src");
        try (TestMongoServer sourceServer = new TestMongoServer();
             TestMongoServer destServer = new TestMongoServer();
             FaultProxy proxy = new FaultProxy("127.0.0.1", (sourceDown ? sourceServer : destServer).port());
             MongoClient source = MongoClients.create(sourceServer.uri());
             MongoClient dest = MongoClients.create(destServer.uri())) {
            source.getDatabase("srcdb").getCollection("orders").insertMany(IntStream.range(0, DOCUMENTS)
                    .mapToObj(i -> new Document("_id", i).append("n", i)).toList());
            // 5 attempts of at most 300 ms server selection and 100 ms backoff: about 2 s of outage use them all
            // up; the pool is DOWN one failed health check (1 s) after the outage began
            FerryConf conf = new FerryConf(dir, sourceDown ? destServer.uri() : proxy.uri())
                    .set("retry.maxAttempts", String.valueOf(MAX_ATTEMPTS))
                    .set("retry.initialBackoffMillis", "20").set("retry.maxBackoffMillis", "100")
                    .set("health.intervalSeconds", "1").set("health.failuresBeforeReconnect", "1")
                    .set("connection.src.uri", sourceDown ? proxy.uri() : sourceServer.uri())
                    .set("connection.src.database", "srcdb")
                    .set("connection." + down + ".serverSelectionTimeoutMS", "300")
                    .set("connection." + down + ".connectTimeoutMS", "300");
            MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
            try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start()) {
                Spooler spool = new Spooler(conf.spool());
                OrchestratorMXBean orchestrator = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Orchestrator"),
                        OrchestratorMXBean.class);
                PoolMXBean pool = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Pool", down), PoolMXBean.class);
                JobMXBean job = JMX.newMXBeanProxy(mbeans, MBeanRegistrar.name("Job", "orders"), JobMXBean.class);
                Path error = conf.spool().resolve("failed").resolve("orders.error.json");

                // slow reads keep the job in its middle until it is paused there
                proxy.setLatency(Duration.ofMillis(10));
                spool.drop("orders.json", "{\"id\": \"orders\", \"source\": {\"type\": \"mongodb\", \"connection\": "
                        + "\"src\", \"collection\": \"orders\"}, \"destination\": {\"connection\": \"dest\", "
                        + "\"collection\": \"orders\"}, \"chunkSize\": " + CHUNK + "}");
                Await.until(WAIT, () -> orchestrator.getChunksWritten() >= 3, "3 chunks written");
                orchestrator.pause();
                Await.until(WAIT, () -> job.getState().equals("PAUSED"), "the job paused between two chunks");
                assertTrue(orchestrator.getChunksWritten() < DOCUMENTS / CHUNK - 1,
                        "the job ended before the outage could matter");

                proxy.stop();
                Await.until(WAIT, () -> pool.getState().equals("DOWN"), "pool " + down + " DOWN");
                orchestrator.resume();
                // (the chunk read ahead before the outage may still be written)
                Await.until(WAIT, () -> Files.exists(error) || state(job).equals(waiting),
                        "the job " + waiting + ", or failed");
                assertFalse(Files.exists(error), "the job gave up on its DOWN " + down + ": "
                        + (Files.exists(error) ? Files.readString(error) : ""));
                // longer than MAX_ATTEMPTS tries against the DOWN pool take (about 2 s): 3 more failed health
                // checks (3 s); the chunks acknowledged before the outage are recorded within the first
                int failures = pool.getConsecutiveHealthFailures();
                Await.until(WAIT, () -> Files.exists(error)
                        || pool.getConsecutiveHealthFailures() >= failures + 1, "1 more failed health check");
                long chunksWaiting = orchestrator.getChunksWritten();
                Await.until(WAIT, () -> Files.exists(error)
                        || pool.getConsecutiveHealthFailures() >= failures + 3, "3 more failed health checks");
                assertFalse(Files.exists(error), "the job gave up on its DOWN " + down + " while waiting: "
                        + (Files.exists(error) ? Files.readString(error) : ""));
                assertEquals(waiting, job.getState());
                assertEquals("DOWN", pool.getState());
                assertEquals(chunksWaiting, orchestrator.getChunksWritten(), "nothing written while waiting");
                assertEquals(0L, job.getRetries(), "waiting for a DOWN pool uses no attempt");

                proxy.setLatency(Duration.ZERO);
                proxy.start();
                Document result = spool.awaitDone("orders", WAIT);
                assertEquals((long) DOCUMENTS, number(result, "documentsRead"), result.toJson());
                // full chunks, and the last chunk of each range (the source is read in up to 16 ranges) may be short
                long chunks = number(result, "chunks");
                assertTrue(chunks >= DOCUMENTS / CHUNK && chunks < DOCUMENTS / CHUNK + 16, result.toJson());
                assertEquals((long) DOCUMENTS, number(result, "upserted") + number(result, "matched"), result.toJson());
                assertEquals("OPEN", pool.getState());
            }
            assertEquals(DOCUMENTS, collection(dest, "orders").countDocuments());
            BitSet seen = new BitSet(DOCUMENTS);
            for (BsonDocument d : collection(dest, "orders").find().projection(Projections.include("_id"))) {
                int id = d.getInt32("_id").getValue();
                assertFalse(seen.get(id), "_id " + id + " twice");
                seen.set(id);
            }
            assertEquals(DOCUMENTS, seen.cardinality());
        }
    }

    /** The job's state, or "" once its bean is gone (the job ended). */
    private static String state(JobMXBean job) {
        try {
            return job.getState();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
