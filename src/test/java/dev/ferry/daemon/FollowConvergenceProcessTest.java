package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.testing.Await;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.SourceMutator;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryJmx;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follow mode under fire: a source changed all the time (inserts, updates, replaces, deletes of
 * random keys, about 500 a second) during the snapshot and while following; ferry, a real process,
 * SIGKILLed once in each phase and SIGTERMed once while following, then restarted; both pools reset
 * every second for a while. Once the changes stop and LagMillis is 0, the destination equals the
 * source exactly.
 */
class FollowConvergenceProcessTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static final ObjectName JOB = MBeanRegistrar.name("Job", "live");

    @TempDir
    Path dir;

    @Test
    void theDestinationConvergesOnTheSourceThroughKillsStopsAndResets() throws Exception {
        converge(10_000, 4);
    }

    @Test
    @Tag("soak")
    void fiftyThousandDocumentsConverge() throws Exception {
        converge(50_000, 10);
    }

    private void converge(int documents, int resetSeconds) throws Exception {
        try (TestMongoServer sourceServer = TestMongoServer.withOplog();
             TestMongoServer destServer = new TestMongoServer();
             MongoClient sourceClient = MongoClients.create(sourceServer.uri());
             MongoClient destClient = MongoClients.create(destServer.uri())) {
            FerryConf conf = new FerryConf(dir, destServer.uri()).set("chunk.size", "100")
                    .set("connection.src.uri", sourceServer.uri()).set("connection.src.database", "srcdb")
                    .set("connection.src.serverSelectionTimeoutMS", "2000");
            Path confDir = conf.write();
            MongoCollection<Document> source = sourceClient.getDatabase("srcdb").getCollection("items");
            MongoCollection<Document> dest = destClient.getDatabase("ferrytest").getCollection("items");
            seed(source, documents);
            Path checkpoint = conf.state().resolve("checkpoints").resolve("live.checkpoint.json");
            Spooler spool = new Spooler(conf.spool());

            SourceMutator mutator = new SourceMutator(source, documents);
            Thread mutating = new Thread(mutator, "follow-test-mutator");
            mutating.start();
            try {
                try (FerryProcess first = FerryProcess.run(confDir, dir.resolve("first.log"))) {
                    first.awaitLog("started (pid", START);
                    spool.drop("live.json", "{\"id\": \"live\", \"source\": {\"type\": \"mongodb\", \"connection\": "
                            + "\"src\", \"collection\": \"items\", \"follow\": true}, \"destination\": "
                            + "{\"connection\": \"dest\", \"collection\": \"items\"}}");
                    // any acknowledged snapshot chunk: with lanes the snapshot may pass 1,000 documents between looks
                    Await.until(Duration.ofSeconds(60), () -> checkpointSays(checkpoint, "\"SNAPSHOT\"")
                            && !checkpointSays(checkpoint, "\"documentsRead\": {\"$numberLong\": \"0\"}"),
                            "a snapshot chunk");
                    first.sigkill();
                    first.awaitExit(Duration.ofSeconds(10));
                }
                try (FerryProcess second = FerryProcess.run(confDir, dir.resolve("second.log"))) {
                    Await.until(Duration.ofSeconds(120), () -> checkpointSays(checkpoint, "\"FOLLOWING\"")
                            && !checkpointSays(checkpoint, "\"eventsApplied\": {\"$numberLong\": \"0\"}"),
                            "events applied while following");
                    second.sigkill();
                    second.awaitExit(Duration.ofSeconds(10));
                }
                try (FerryProcess third = FerryProcess.run(confDir, dir.resolve("third.log"))) {
                    third.awaitLog("live: following again", START);
                    long before = mutator.changes.get();
                    Await.until(Duration.ofSeconds(30), () -> mutator.changes.get() > before + 200, "more changes");
                    third.sigterm();
                    assertEquals(143, third.awaitExit(Duration.ofSeconds(30)), third.log());
                    assertTrue(Files.exists(conf.spool().resolve("active").resolve("live.json")), "stays in active/");
                }
                try (FerryProcess fourth = FerryProcess.run(confDir, dir.resolve("fourth.log"));
                     FerryJmx jmx = connect(fourth, conf)) {
                    Await.until(START, () -> jmx.exists(JOB) && "FOLLOWING".equals(jmx.attribute(JOB, "Phase")),
                            "following after the restart");
                    ObjectName pools = MBeanRegistrar.name("Pools");
                    for (int i = 0; i < resetSeconds; i++) {
                        long resets = mutator.changes.get();
                        jmx.invoke(pools, "resetAll");
                        // paced by the mutator, not by a sleep: at its 500 changes a second, about one reset a
                        // second; on a loaded machine the mutator (and so the resets) slow down together
                        Await.until(Duration.ofSeconds(60), () -> mutator.changes.get() >= resets + 300, "changes");
                    }
                    mutator.stop.set(true);
                    mutating.join();
                    Await.until(Duration.ofSeconds(120), () -> ((Number) jmx.attribute(JOB, "LagMillis")).longValue() == 0
                            && Exactness.compare(source.find(), "k", List.of(dest)).exact(),
                            "destination equal to the source; last: "
                                    + Exactness.compare(source.find(), "k", List.of(dest)));
                    Exactness.Report report = Exactness.compare(source.find(), "k", List.of(dest)).assertExact();
                    assertEquals(source.countDocuments(), report.destinationCount());
                    assertTrue(mutator.changes.get() > 1000, "changes made: " + mutator.changes.get());
                    assertEquals("live: finishing; it applies the changes that have arrived, then moves to done/",
                            ((javax.management.openmbean.CompositeData) jmx.invoke(MBeanRegistrar.name("Orchestrator"),
                                    "finish", "live")).get("message"));
                    Document result = spool.awaitDone("live", Duration.ofSeconds(30));
                    assertTrue(((Number) result.get("eventsApplied")).longValue() > 0, result.toJson());
                }
            } finally {
                mutator.stop.set(true);
                mutating.join();
            }
        }
    }

    private static FerryJmx connect(FerryProcess ferry, FerryConf conf) {
        ferry.awaitLog("started (pid", START);
        return FerryJmx.connect(conf.state());
    }

    private static boolean checkpointSays(Path checkpoint, String text) {
        try {
            return Files.exists(checkpoint) && Files.readString(checkpoint).contains(text);
        } catch (java.io.IOException e) {
            return false; // replaced between exists and read
        }
    }

    private static void seed(MongoCollection<Document> source, int documents) {
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < documents; i++) {
            batch.add(new Document("_id", i).append("k", i).append("v", 0).append("name", "item " + i));
            if (batch.size() == 1000) {
                source.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            source.insertMany(batch);
        }
    }
}
