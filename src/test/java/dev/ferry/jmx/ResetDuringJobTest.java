package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator resets the destination pool over JMX, again and again, while a job runs: the reset is
 * graceful (docs/monitoring.md, "JMX: watching and steering ferry"), so no chunk fails or is retried, and every document arrives once.
 */
class ResetDuringJobTest {
    private static final int RESETS = 10;
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    @Test
    void tenResetsDuringAFileJobOfFiftyThousandDocumentsCostNoRetry(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = JmxHarness.ndjson(conf, "big", 50_000);
            try (JmxHarness jmx = new JmxHarness(conf)) {
                Spooler spool = new Spooler(conf.spool());
                spool.drop("big.json", JmxHarness.fileJob(data, "big", 250)); // 200 chunks
                Document result = resetWhileRunning(jmx, spool, "big", 15);
                assertEquals(50_000L, ((Number) result.get("documentsRead")).longValue());
                assertNoRetryAndDrained(jmx, result);
            }
            assertEquals(50_000L, JmxHarness.count(server, "big"));
        }
    }

    @Test
    void tenResetsDuringAMongodbSourceJobMoveItsCursorWithoutARetry(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            try (MongoClient client = MongoClients.create(server.uri())) {
                MongoCollection<Document> source = client.getDatabase("ferrytest").getCollection("source");
                List<Document> docs = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    docs.add(new Document("_id", i).append("name", "n" + i));
                }
                source.insertMany(docs);
            }
            FerryConf conf = new FerryConf(dir, server.uri());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                Spooler spool = new Spooler(conf.spool());
                // source and destination share connection dest: each reset retires the cursor's client too
                spool.drop("copy.json", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"dest\","
                        + " \"collection\": \"source\"}, \"destination\": {\"connection\": \"dest\","
                        + " \"collection\": \"copy\"}, \"chunkSize\": 200}"); // 100 chunks
                Document result = resetWhileRunning(jmx, spool, "copy", 8);
                assertEquals(20_000L, ((Number) result.get("documentsRead")).longValue());
                assertNoRetryAndDrained(jmx, result);
            }
            assertEquals(20_000L, JmxHarness.count(server, "copy"));
        }
    }

    /** Resets the dest pool over JMX every {@code chunksApart} chunks of the job, then awaits its result. */
    private static Document resetWhileRunning(JmxHarness jmx, Spooler spool, String id, int chunksApart) {
        ObjectName dest = JmxHarness.pool("dest");
        for (int i = 1; i <= RESETS; i++) {
            jmx.awaitJobChunks(id, (long) i * chunksApart, JOB_TIMEOUT);
            jmx.invoke(dest, "reset");
        }
        assertTrue(jmx.isRegistered(JmxHarness.job(id)) || spool.count("done") == 1,
                "the job is still running after the last reset, or done");
        Document result = spool.awaitDone(id, JOB_TIMEOUT);
        assertEquals((long) RESETS, jmx.getLong(dest, "Resets"));
        return result;
    }

    private static void assertNoRetryAndDrained(JmxHarness jmx, Document result) {
        ObjectName dest = JmxHarness.pool("dest");
        assertEquals(0L, ((Number) result.get("retries")).longValue(), "no chunk was retried: " + result.toJson());
        assertEquals(0L, jmx.getLong(JmxHarness.ORCHESTRATOR, "ChunkRetries"));
        assertTrue(jmx.getLong(dest, "ClientsOpened") >= RESETS + 1, "every reset opened a fresh client");
        // every retired client closes once its last lease is back
        Await.until(Duration.ofSeconds(10), () -> "OPEN".equals(jmx.get(dest, "State"))
                && jmx.getLong(dest, "Leases") == 0, "dest to drain its retired clients");
    }
}
