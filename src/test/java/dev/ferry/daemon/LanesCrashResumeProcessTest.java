package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job in 8 lanes, its daemon a real process killed with SIGKILL three times while chunks are in
 * flight to a server 10 ms away: keys repeat far apart in the file, hot keys in every chunk, and some lines are broken
 * ({@code "onInvalid": "skip"}), and every 13th write fails transiently and is retried. The destination ends with exactly the last valid record of each key,
 * every broken line is in {@code ID.rejected.ndjson} once, and the result counts every line once.
 */
class LanesCrashResumeProcessTest {
    private static final int LINES = 30_000;
    private static final int KEYS = 4_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void killedThreeTimesWithChunksInFlightItEndsWithTheLastRecordOfEachKeyAndEachBadLineOnce() throws Exception {
        try (TestMongoServer server = new TestMongoServer();
             DelayProxy proxy = new DelayProxy("127.0.0.1", server.port(), Duration.ofMillis(10));
             MongoClient client = MongoClients.create(server.uri())) {
            FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:" + proxy.port() + "/ferrytest")
                    .set("job.lanes", "8");
            Path confDir = conf.write();
            // a write retried after the chunks behind it were written must not bring back an older record
            server.failEveryNthWrite(13);
            // key k = i % KEYS: each key comes back every 4,000 lines, dozens of chunks apart
            Map<Integer, Integer> last = new TreeMap<>();
            List<Integer> badLines = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int i = 1; i <= LINES; i++) {
                if (i % 997 == 0) {
                    text.append("{\"k\": ").append(i % KEYS).append(", broken\n");
                    badLines.add(i);
                    continue;
                }
                // and every 7th line a hot key, back in every chunk: chunks in flight together share it
                int key = i % 7 == 0 ? 100_000 + i % 50 : i % KEYS;
                text.append("{\"_id\": ").append(key).append(", \"line\": ").append(i).append("}\n");
                last.put(key, i);
            }
            Path file = Files.writeString(conf.data().resolve("repeat.ndjson"), text);
            Spooler spool = new Spooler(conf.spool());
            spool.drop("repeat.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + file + "\", \"format\":"
                    + " \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"repeat\"},"
                    + " \"chunkSize\": 100, \"onInvalid\": \"skip\"}");
            Path checkpoint = conf.state().resolve("checkpoints").resolve("repeat.checkpoint.json");
            killThreeTimes(confDir, spool, checkpoint, "line");
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-last.log"))) {
                Document result = spool.awaitDone("repeat", WAIT);
                assertEquals((long) LINES, ((Number) result.get("documentsRead")).longValue(), "every line once");
                assertEquals((long) badLines.size(), ((Number) result.get("rejected")).longValue());
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
            }

            Map<Integer, Integer> actual = new HashMap<>();
            for (Document d : client.getDatabase("ferrytest").getCollection("repeat").find()) {
                actual.put(d.getInteger("_id"), d.getInteger("line"));
            }
            assertEquals(last, new TreeMap<>(actual), "the last valid record of each key, nothing else");
            List<Integer> rejected = new ArrayList<>();
            for (String line : Files.readAllLines(conf.spool().resolve("done").resolve("repeat.rejected.ndjson"))) {
                rejected.add(Document.parse(line).getInteger("line"));
            }
            assertEquals(badLines, rejected, "each broken line once, in file order");
        }
    }

    /**
     * The same for a mongodb source read in 8 ranges, both servers 10 ms away, {@code _id}s of three
     * types: after three kills the destination equals the source and the result counts each document once.
     */
    @Test
    void aMongodbSourceReadInRangesKilledThreeTimesEndsEqualToTheSource() throws Exception {
        try (TestMongoServer source = new TestMongoServer();
             TestMongoServer destination = new TestMongoServer();
             DelayProxy sourceProxy = new DelayProxy("127.0.0.1", source.port(), Duration.ofMillis(10));
             DelayProxy destinationProxy = new DelayProxy("127.0.0.1", destination.port(), Duration.ofMillis(10));
             MongoClient sourceClient = MongoClients.create(source.uri());
             MongoClient destinationClient = MongoClients.create(destination.uri())) {
            FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:" + destinationProxy.port() + "/ferrytest")
                    .set("job.lanes", "8")
                    .set("connection.src.uri", "mongodb://127.0.0.1:" + sourceProxy.port())
                    .set("connection.src.database", "shop");
            Path confDir = conf.write();
            List<Document> documents = new ArrayList<>();
            for (int i = 0; i < LINES; i++) {
                Object id = switch (i % 3) {
                    case 0 -> i;
                    case 1 -> "order-" + i;
                    default -> new org.bson.types.ObjectId(i, i);
                };
                documents.add(new Document("_id", id).append("n", i).append("pad", "x".repeat(i % 50)));
            }
            java.util.Collections.shuffle(documents, new java.util.Random(3));
            sourceClient.getDatabase("shop").getCollection("orders").insertMany(documents);
            destination.failEveryNthWrite(13);
            Spooler spool = new Spooler(conf.spool());
            spool.drop("orders.json", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                    + " \"collection\": \"orders\"}, \"destination\": {\"connection\": \"dest\","
                    + " \"collection\": \"orders\"}, \"chunkSize\": 100}");
            Path checkpoint = conf.state().resolve("checkpoints").resolve("orders.checkpoint.json");
            String firstRun = killThreeTimes(confDir, spool, checkpoint, "document").get(0);
            assertTrue(firstRun.contains("reading the source in 8 ranges"), firstRun);
            assertTrue(Files.readString(checkpoint).contains("$ranges"), "the checkpoint holds every range");
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-last.log"))) {
                Document result = spool.awaitDone("orders", WAIT);
                assertEquals((long) LINES, ((Number) result.get("documentsRead")).longValue(), "every document once");
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
            }
            Map<Object, Document> expected = new HashMap<>();
            sourceClient.getDatabase("shop").getCollection("orders").find().forEach(d -> expected.put(d.get("_id"), d));
            Map<Object, Document> actual = new HashMap<>();
            destinationClient.getDatabase("ferrytest").getCollection("orders").find()
                    .forEach(d -> assertEquals(null, actual.put(d.get("_id"), d), "one document per _id"));
            assertEquals(LINES, actual.size());
            assertEquals(expected, actual, "the destination equals the source");
        }
    }

    /**
     * Starts the daemon three times and kills it with SIGKILL once the job's checkpoint passed 6,000,
     * 14,000 and 22,000 records, each time while the job still runs.
     *
     * @return each run's log up to its kill
     */
    private List<String> killThreeTimes(Path confDir, Spooler spool, Path checkpoint, String unit) throws Exception {
        long[] killAt = {6_000, 14_000, 22_000};
        List<String> logs = new ArrayList<>();
        for (int k = 0; k < killAt.length; k++) {
            long point = killAt[k];
            try (FerryProcess ferry = FerryProcess.run(confDir, dir.resolve("ferry-" + k + ".log"))) {
                ferry.awaitLog("started", WAIT);
                Await.until(WAIT, () -> documentsRead(checkpoint) >= point || !ferry.isAlive(),
                        "the job to pass " + unit + " " + point);
                logs.add(ferry.log());
                ferry.sigkill();
                ferry.awaitExit(Duration.ofSeconds(30));
                assertEquals(0, spool.count("done"), "the job was still running when killed; log:\n" + ferry.log());
            }
        }
        return logs;
    }

    private static long documentsRead(Path checkpoint) {
        try {
            Document saved = Document.parse(Files.readString(checkpoint));
            Object position = saved.get("position");
            Object read = position instanceof Document p ? p.get("documentsRead") : saved.get("documentsRead");
            return read instanceof Number n ? n.longValue() : 0;
        } catch (Exception e) {
            return 0; // not written yet, or being replaced
        }
    }
}
