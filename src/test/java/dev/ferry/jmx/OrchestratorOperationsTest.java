package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Orchestrator bean's operations as an operator uses them from JConsole: pause, resume, cancel, retry. */
class OrchestratorOperationsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String SMALL_JOB = "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"_id\": 2}]},"
            + " \"destination\": {\"connection\": \"dest\", \"collection\": \"small\"}}";

    @Test
    void pauseHoldsClaimsAndChunksWithinOneChunkAndResumeFinishesEverything(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = JmxHarness.ndjson(conf, "data", 30_000);
            Spooler spool = new Spooler(conf.spool());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                spool.drop("a.json", JmxHarness.fileJob(data, "a", 250)); // 120 chunks each
                spool.drop("b.json", JmxHarness.fileJob(data, "b", 250));
                jmx.awaitJobChunks("a", 2, TIMEOUT);
                jmx.awaitJobChunks("b", 2, TIMEOUT);

                long lanes = jmx.getLong(JmxHarness.job("a"), "Lanes");
                jmx.invoke(JmxHarness.ORCHESTRATOR, "pause");
                long atPause = jmx.getLong(JmxHarness.ORCHESTRATOR, "ChunksWritten");
                assertEquals(true, jmx.get(JmxHarness.ORCHESTRATOR, "Paused"));
                for (String id : List.of("a", "b")) {
                    Await.until(TIMEOUT, () -> "PAUSED".equals(jmx.get(JmxHarness.job(id), "State")),
                            id + " to pause after its current chunk");
                }
                long paused = jmx.getLong(JmxHarness.ORCHESTRATOR, "ChunksWritten");
                // each job writes and records its chunks in flight (its lanes, and the one it was reading), then waits
                assertTrue(paused - atPause <= 2 * (lanes + 1), "at most the chunks in flight of each of the 2 running jobs "
                        + "were recorded after pause(): " + atPause + " -> " + paused + " (lanes " + lanes + ")");

                spool.drop("c.json", SMALL_JOB);
                jmx.invoke(JmxHarness.ORCHESTRATOR, "rescan"); // a rescan dispatches whatever has settled
                assertEquals(1L, spool.count("incoming"), "a job dropped while paused is not claimed");
                assertEquals(1, jmx.get(JmxHarness.ORCHESTRATOR, "QueuedJobs"));
                assertEquals(2, jmx.get(JmxHarness.ORCHESTRATOR, "RunningJobs"));
                assertEquals(paused, jmx.getLong(JmxHarness.ORCHESTRATOR, "ChunksWritten"), "no chunk while paused");

                // a job still waiting in incoming/ can be cancelled, and retried
                String answer = (String) ((javax.management.openmbean.CompositeData) jmx.invoke(JmxHarness.ORCHESTRATOR, "cancel", "c")).get("message");
                assertEquals("cancelled", spool.awaitFailed("c", TIMEOUT).getString("kind"), answer);
                assertEquals(0L, spool.count("incoming"));
                jmx.invoke(JmxHarness.ORCHESTRATOR, "retry", "c");
                assertEquals(1L, spool.count("incoming"), "retry brings the job back into incoming/");
                assertFalse(Files.exists(conf.spool().resolve("failed").resolve("c.json")));

                jmx.invoke(JmxHarness.ORCHESTRATOR, "resume");
                assertEquals(false, jmx.get(JmxHarness.ORCHESTRATOR, "Paused"));
                for (String id : List.of("a", "b")) {
                    Document result = spool.awaitDone(id, TIMEOUT);
                    assertEquals(30_000L, ((Number) result.get("documentsRead")).longValue());
                    assertEquals(120L, ((Number) result.get("chunks")).longValue());
                }
                assertEquals(2L, ((Number) spool.awaitDone("c", TIMEOUT).get("documentsRead")).longValue());
                // the counter follows the move to done/ by a moment
                Await.until(Duration.ofSeconds(5), () -> jmx.getLong(JmxHarness.ORCHESTRATOR, "CompletedJobs") == 3,
                        "CompletedJobs to count the three jobs");
            }
            assertEquals(30_000L, JmxHarness.count(server, "a"));
            assertEquals(30_000L, JmxHarness.count(server, "b"));
            assertEquals(2L, JmxHarness.count(server, "small"));
        }
    }

    @Test
    void cancelMovesARunningJobToFailedAndRetryRunsItAgainToDone(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = JmxHarness.ndjson(conf, "data", 30_000);
            Spooler spool = new Spooler(conf.spool());
            try (JmxHarness jmx = new JmxHarness(conf)) {
                spool.drop("long.json", JmxHarness.fileJob(data, "long", 250));
                jmx.awaitJobChunks("long", 2, TIMEOUT);

                String answer = (String) ((javax.management.openmbean.CompositeData) jmx.invoke(JmxHarness.ORCHESTRATOR, "cancel", "long")).get("message");
                Document error = spool.awaitFailed("long", TIMEOUT);
                assertEquals("cancelled", error.getString("kind"), answer + " / " + error.toJson());
                // the error file is written first, then the job file moves
                Path failedJob = conf.spool().resolve("failed").resolve("long.json");
                Await.until(Duration.ofSeconds(5), () -> Files.exists(failedJob), "failed/long.json");
                Await.until(Duration.ofSeconds(5), () -> !jmx.isRegistered(JmxHarness.job("long")),
                        "the cancelled job's bean to go");
                Await.until(Duration.ofSeconds(5), () -> jmx.getLong(JmxHarness.ORCHESTRATOR, "FailedJobs") == 1,
                        "FailedJobs to count the cancelled job");
                long writtenBeforeRetry = JmxHarness.count(server, "long");
                assertTrue(writtenBeforeRetry < 30_000, "cancelled before the end: " + writtenBeforeRetry);

                jmx.invoke(JmxHarness.ORCHESTRATOR, "retry", "long");
                Document result = spool.awaitDone("long", TIMEOUT);
                assertEquals(30_000L, ((Number) result.get("documentsRead")).longValue());
                assertFalse(Files.exists(conf.spool().resolve("failed").resolve("long.json")));
                assertFalse(Files.exists(conf.spool().resolve("failed").resolve("long.error.json")));
                Await.until(Duration.ofSeconds(5), () -> jmx.getLong(JmxHarness.ORCHESTRATOR, "CompletedJobs") == 1,
                        "CompletedJobs to count the job");
            }
            assertEquals(30_000L, JmxHarness.count(server, "long"));
        }
    }
}
