package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.inline;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Two daemons share one spool (each with its own state directory): every job runs exactly once in total. */
class TwoDaemonsOneSpoolTest {
    private static final Logger log = LoggerFactory.getLogger(TwoDaemonsOneSpoolTest.class);
    private static final int JOBS = 200;

    private static FerryConf conf(Path dir, String name, Path spool, String uri) {
        return new FerryConf(dir.resolve(name), uri).set("spool.dir", spool.toString());
    }

    @Test
    void twoHundredJobsDroppedAtOnceRunExactlyOnceAcrossBothDaemons(@TempDir Path dir) throws Exception {
        Path spoolDir = dir.resolve("spool");
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri());
             DaemonFixture a = new DaemonFixture(conf(dir, "a", spoolDir, server.uri()), null).start();
             DaemonFixture b = new DaemonFixture(conf(dir, "b", spoolDir, server.uri()), null).start()) {
            Spooler spool = new Spooler(spoolDir);
            Set<String> ids = new TreeSet<>();
            for (int i = 0; i < JOBS; i++) {
                String id = "once-" + i;
                ids.add(id);
                spool.drop(id + ".json", job(null, inline(List.of(new Document("_id", i).append("job", id))), "once")
                        .append("mode", "insert").toJson());
            }

            Await.until(Duration.ofSeconds(90), () -> spool.count("done") + spool.count("failed") == JOBS,
                    "all " + JOBS + " jobs finished");
            Orchestrator oa = a.daemon().orchestrator();
            Orchestrator ob = b.daemon().orchestrator();
            Await.until(OUTCOME, () -> oa.getRunningJobs() + ob.getRunningJobs() == 0, "both daemons idle");

            assertEquals(0, spool.count("failed"));
            List<Document> results = results(spoolDir.resolve("done"));
            assertEquals(ids, results.stream().map(r -> r.getString("id")).collect(Collectors.toCollection(TreeSet::new)));
            assertEquals(JOBS, results.stream().mapToLong(r -> number(r, "inserted")).sum());
            assertEquals(0, results.stream().mapToLong(r -> number(r, "skipped")).sum());
            // each run is counted by the daemon that ran it: together exactly one run per job
            assertEquals(JOBS, oa.getCompletedJobs() + ob.getCompletedJobs(),
                    "a ran " + oa.getCompletedJobs() + ", b ran " + ob.getCompletedJobs());
            assertTrue(oa.getCompletedJobs() > 0 && ob.getCompletedJobs() > 0,
                    "both daemons took jobs: a " + oa.getCompletedJobs() + ", b " + ob.getCompletedJobs());
            assertEquals(0, oa.getFailedJobs() + ob.getFailedJobs());
            log.info("two daemons: a ran {} jobs, b ran {}", oa.getCompletedJobs(), ob.getCompletedJobs());
            assertEquals(JOBS, collection(client, "once").countDocuments());
            assertEquals(0, spool.count("incoming") + spool.count("active"));
        }
    }

    @Test
    void aDaemonStartedWhileAnotherRunsDoesNotAdoptItsActiveJob(@TempDir Path dir) throws Exception {
        Path spoolDir = dir.resolve("spool");
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri());
             FaultProxy slow = new FaultProxy("127.0.0.1", server.port())) {
            // a's writes go through a slow link, so that its job sits in active/ long enough to be seen there
            slow.setLatency(Duration.ofMillis(50));
            try (DaemonFixture a = new DaemonFixture(conf(dir, "a", spoolDir, slow.uri()), null).start()) {
                Spooler spool = new Spooler(spoolDir);
                spool.drop("long.json", job(null, inline(IntStream.range(0, 30).mapToObj(i -> new Document("_id", i))
                        .toList()), "long").append("mode", "insert").append("chunkSize", 1).toJson());
                Orchestrator oa = a.daemon().orchestrator();
                Await.until(OUTCOME, () -> Arrays.asList(oa.getRunningJobIds()).contains("long")
                        && oa.getChunksWritten() >= 2, "a runs the job");

                try (DaemonFixture b = new DaemonFixture(conf(dir, "b", spoolDir, server.uri()), null).start()) {
                    Orchestrator ob = b.daemon().orchestrator();
                    // b's start-up looked at active/long.json and must have left it to a
                    assertEquals(0, ob.getRunningJobs());
                    assertTrue(Files.exists(spoolDir.resolve("active").resolve("long.json")), "still a's, in active/");

                    Document result = spool.awaitDone("long", OUTCOME);
                    assertEquals(30L, number(result, "inserted"), result.toJson());
                    assertEquals(0L, number(result, "skipped"), result.toJson());
                    // had b adopted the job, its run would still be going or be counted now
                    Await.until(OUTCOME, () -> oa.getRunningJobs() + ob.getRunningJobs() == 0, "both daemons idle");
                    assertEquals(30L, number(result, "chunks"), result.toJson());
                    assertEquals(0, ob.getCompletedJobs() + ob.getFailedJobs(), "b ran the job too");
                    assertEquals(1, oa.getCompletedJobs());
                    assertEquals(30, collection(client, "long").countDocuments());
                }
            }
        }
    }

    private static List<Document> results(Path done) {
        try (Stream<Path> files = Files.list(done)) {
            List<Document> results = new ArrayList<>();
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".result.json")).toList()) {
                results.add(Document.parse(Files.readString(p)));
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
