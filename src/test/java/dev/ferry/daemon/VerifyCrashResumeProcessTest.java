package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.Await;
import dev.ferry.testing.DelayProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code "mode": "verify"} job, its daemon a real process killed with SIGKILL three times while it
 * compares, both servers 10 ms away; some extra documents lie between the source's, some beyond its last: the
 * restarted job continues the comparison from its checkpoint and ends with the report an unbroken run
 * gives, each differing key listed once.
 */
class VerifyCrashResumeProcessTest {
    private static final int DOCUMENTS = 20_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void killedThreeTimesWhileComparingItReachesTheSameReport() throws Exception {
        try (TestMongoServer source = new TestMongoServer();
             TestMongoServer destination = new TestMongoServer();
             DelayProxy sourceProxy = new DelayProxy("127.0.0.1", source.port(), Duration.ofMillis(10));
             DelayProxy destinationProxy = new DelayProxy("127.0.0.1", destination.port(), Duration.ofMillis(10));
             MongoClient sourceClient = MongoClients.create(source.uri());
             MongoClient destinationClient = MongoClients.create(destination.uri())) {
            List<Document> documents = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                documents.add(new Document("_id", i).append("n", i).append("tag", "t" + i % 7));
            }
            sourceClient.getDatabase("shop").getCollection("orders").insertMany(documents);
            MongoCollection<Document> copy = destinationClient.getDatabase("ferrytest").getCollection("orders");
            copy.insertMany(documents);
            TreeSet<String> damage = new TreeSet<>();
            for (int i = 500; i < DOCUMENTS; i += 2_000) {
                copy.deleteOne(new Document("_id", i));
                damage.add(i + " missing");
                copy.updateOne(new Document("_id", i + 1), new Document("$set", new Document("tag", "changed")));
                damage.add((i + 1) + " different");
                copy.insertOne(new Document("_id", DOCUMENTS + i));
                damage.add((DOCUMENTS + i) + " extra");
                copy.insertOne(new Document("_id", i + 0.5)); // between two of the source's
                damage.add((i + 0.5) + " extra");
            }
            FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:" + destinationProxy.port() + "/ferrytest")
                    .set("job.lanes", "8")
                    .set("connection.src.uri", "mongodb://127.0.0.1:" + sourceProxy.port())
                    .set("connection.src.database", "shop");
            Path confDir = conf.write();
            Spooler spool = new Spooler(conf.spool());
            spool.drop("check.json", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\", \"collection\":"
                    + " \"orders\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"orders\"},"
                    + " \"mode\": \"verify\", \"chunkSize\": 100}");
            Path checkpoint = conf.state().resolve("checkpoints").resolve("check.checkpoint.json");
            List<Predicate<Document>> killWhen = List.of(
                    v -> "SOURCE".equals(v.getString("pass")) && read(v) >= 5_000,
                    v -> "SOURCE".equals(v.getString("pass")) && read(v) >= 11_000,
                    v -> "SOURCE".equals(v.getString("pass")) && read(v) >= 16_000);
            for (int k = 0; k < killWhen.size(); k++) {
                Predicate<Document> when = killWhen.get(k);
                try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-" + k + ".log"))) {
                    ferry.awaitLog("started", WAIT);
                    Await.until(WAIT, () -> when.test(verifyState(checkpoint)) || !ferry.isAlive(),
                            "kill point " + k + " of the comparison");
                    ferry.sigkill();
                    ferry.awaitExit(Duration.ofSeconds(30));
                    assertEquals(0, spool.count("failed") + spool.count("done"),
                            "the job was still comparing when killed; log:\n" + ferry.log());
                }
            }
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-last.log"))) {
                Path error = conf.spool().resolve("failed").resolve("check.error.json");
                Await.until(WAIT, () -> Files.exists(error), "the comparison to end");
                Document report = Document.parse(Files.readString(error));
                assertEquals("verify-mismatch", report.getString("kind"), report.toJson());
                Document counts = (Document) report.get("verify");
                assertEquals((long) DOCUMENTS, ((Number) counts.get("compared")).longValue(), "each document once");
                assertEquals(10L, ((Number) counts.get("missing")).longValue());
                assertEquals(10L, ((Number) counts.get("different")).longValue());
                assertEquals(20L, ((Number) counts.get("extra")).longValue());
                assertEquals(DOCUMENTS - 20L, ((Number) counts.get("equal")).longValue());
                List<String> listed = new ArrayList<>();
                for (String line : Files.readAllLines(conf.spool().resolve("failed").resolve("check.verify.ndjson"))) {
                    Document d = Document.parse(line);
                    listed.add(((Document) d.get("key")).get("_id") + " " + d.getString("kind"));
                }
                assertEquals(new ArrayList<>(damage), new ArrayList<>(new TreeSet<>(listed)));
                assertEquals(damage.size(), listed.size(), "each key once: " + listed);
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
            }
        }
    }

    private static long read(Document verify) {
        return verify.get("documentsRead") instanceof Number n ? n.longValue() : 0;
    }

    private static Document verifyState(Path checkpoint) {
        try {
            Object v = Document.parse(Files.readString(checkpoint)).get("verify");
            return v instanceof Document d ? d : new Document();
        } catch (Exception e) {
            return new Document(); // not written yet, or being replaced
        }
    }
}
