package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Whatever the lanes (so the ranges the source is read in), the chunk size and the mix of {@code _id}
 * types, a {@code "mode": "verify"} job names exactly the keys a hand took away, added or changed,
 * with their kinds (docs/jobs.md, "Verify"): each stretch of {@code _id}s is looked at once.
 */
class VerifyPropertiesTest {

    private static Object id(int n) {
        return switch (n % 3) {
            case 0 -> n;
            case 1 -> "k" + n;
            default -> new ObjectId(n, n);
        };
    }

    @Property(tries = 25)
    void theReportNamesExactlyTheDamagedKeys(@ForAll @IntRange(min = 0, max = 120) int documents,
                                             @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 200) Integer> damage,
                                             @ForAll @IntRange(min = 1, max = 12) int lanes,
                                             @ForAll @IntRange(min = 1, max = 15) int chunkSize) throws Exception {
        Path dir = Files.createTempDirectory("ferry-verify-property");
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri());
             JobWorld world = new JobWorld(new FerryConf(dir, server.uri())
                     .set("connection.src.uri", server.uri()).set("connection.src.database", "srcdb"))) {
            MongoCollection<Document> source = client.getDatabase("srcdb").getCollection("items");
            MongoCollection<Document> copy = client.getDatabase("ferrytest").getCollection("items");
            List<Document> all = new ArrayList<>();
            for (int n = 0; n < documents; n++) {
                all.add(new Document("_id", id(n)).append("n", n));
            }
            if (!all.isEmpty()) {
                source.insertMany(all);
                copy.insertMany(all);
            }
            Set<String> expected = new TreeSet<>();
            Set<Object> touched = new java.util.HashSet<>();
            for (int d : damage) {
                Object id = id(d);
                if (!touched.add(id)) {
                    continue;
                }
                if (d >= documents) {
                    copy.insertOne(new Document("_id", id).append("n", -1)); // not in the source
                    expected.add(id + " extra");
                } else if (d % 2 == 0) {
                    copy.deleteOne(new Document("_id", id));
                    expected.add(id + " missing");
                } else {
                    copy.updateOne(new Document("_id", id), new Document("$set", new Document("n", -d)));
                    expected.add(id + " different");
                }
            }
            world.task.run(world.claim("check", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                    + " \"collection\": \"items\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"items\"},"
                    + " \"mode\": \"verify\", \"lanes\": " + lanes + ", \"chunkSize\": " + chunkSize + "}"), job -> { },
                    job -> { });

            Set<String> listed = new TreeSet<>();
            Path outcome = expected.isEmpty() ? world.spool.done().resolve("check.result.json")
                    : world.spool.failed().resolve("check.error.json");
            Document verify = (Document) Document.parse(Files.readString(outcome)).get("verify");
            if (!expected.isEmpty()) {
                for (String line : Files.readAllLines(world.spool.failed().resolve("check.verify.ndjson"))) {
                    Document d = Document.parse(line);
                    listed.add(((Document) d.get("key")).get("_id") + " " + d.getString("kind"));
                }
            }
            assertEquals(expected, listed, verify.toJson());
            assertEquals((long) documents, ((Number) verify.get("compared")).longValue(), verify.toJson());
            assertEquals(expected.stream().filter(s -> s.endsWith("extra")).count(),
                    ((Number) verify.get("extra")).longValue(), verify.toJson());
        }
    }
}
