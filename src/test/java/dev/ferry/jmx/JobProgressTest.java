package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
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

/** A running mongodb-source job's Progress is its documents of those its filter matched when it started. */
class JobProgressTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aMongodbSourceJobCountsItsFilterOnceAndReportsDocumentsOfThatCount(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            try (MongoClient client = MongoClients.create(server.uri())) {
                List<Document> docs = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    docs.add(new Document("_id", i).append("even", i % 2 == 0));
                }
                client.getDatabase("ferrytest").getCollection("source").insertMany(docs);
            }
            FerryConf conf = new FerryConf(dir, server.uri());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                new Spooler(conf.spool()).drop("evens.json", "{\"source\": {\"type\": \"mongodb\", \"connection\":"
                        + " \"dest\", \"collection\": \"source\", \"filter\": {\"even\": true}}, \"destination\":"
                        + " {\"connection\": \"dest\", \"collection\": \"evens\"}, \"chunkSize\": 100}");
                jmx.awaitJobChunks("evens", 3, WAIT);
                jmx.invoke(JmxHarness.ORCHESTRATOR, "pause");
                ObjectName job = JmxHarness.job("evens");
                Await.until(WAIT, () -> "PAUSED".equals(jmx.get(job, "State")), "evens PAUSED");

                long written = jmx.getLong(job, "DocumentsWritten");
                double progress = (Double) jmx.get(job, "Progress");
                assertTrue(written >= 300 && written < 10_000, "written " + written);
                assertEquals(written / 10_000.0, progress, 1e-9, "10,000 documents match the filter");
                // paused just after its chunks: the last 10 s saw documents written and the fraction grow
                double speed = (Double) jmx.get(job, "DocumentsPerSecond");
                assertTrue(speed > 0, "DocumentsPerSecond " + speed);
                long eta = jmx.getLong(job, "EtaSeconds");
                assertTrue(eta >= 0, "a known fraction and speed give a time left, not unknown (-1): " + eta);

                jmx.invoke(JmxHarness.ORCHESTRATOR, "resume");
                new Spooler(conf.spool()).awaitDone("evens", WAIT);
            }
        }
    }
}
