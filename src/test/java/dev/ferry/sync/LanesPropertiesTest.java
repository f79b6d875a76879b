package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.queue.JobClaim;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bson.Document;

/**
 * Whatever the lanes, the chunk size and the order of keys in a file, and with writes that fail now and
 * then and are retried, a job leaves the destination with the last record of each key: what a load of
 * the file one record after the other would leave (docs/jobs.md, "Lanes").
 */
class LanesPropertiesTest {

    @Property(tries = 30)
    void theDestinationHoldsTheLastRecordOfEachKey(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 40) Integer> keys,
                                                   @ForAll @IntRange(min = 1, max = 16) int lanes,
                                                   @ForAll @IntRange(min = 1, max = 25) int chunkSize,
                                                   @ForAll @IntRange(min = 0, max = 9) int failEvery) throws Exception {
        Path dir = Files.createTempDirectory("ferry-lanes-property");
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri());
             JobWorld world = new JobWorld(new FerryConf(dir, server.uri()).set("retry.initialBackoffMillis", "1")
                     .set("retry.maxBackoffMillis", "2").set("retry.maxAttempts", "50"))) {
            // every 2nd would fail each try of a chunk made of two commands (inserts, then writes by key)
            if (failEvery > 2) {
                server.failEveryNthWrite(failEvery);
            }
            StringBuilder text = new StringBuilder();
            Map<Integer, Integer> last = new TreeMap<>();
            for (int line = 1; line <= keys.size(); line++) {
                int key = keys.get(line - 1);
                text.append("{\"_id\": ").append(key).append(", \"line\": ").append(line).append("}\n");
                last.put(key, line);
            }
            Path file = Files.writeString(dir.resolve("data").resolve("keys.ndjson"), text);
            JobClaim claim = world.claim("keys", "{\"source\": {\"type\": \"file\", \"path\": \"" + file
                    + "\", \"format\": \"ndjson\"}, \"destination\": {\"connection\": \"dest\", \"collection\":"
                    + " \"keys\"}, \"chunkSize\": " + chunkSize + ", \"lanes\": " + lanes + "}");
            world.task.run(claim, job -> { }, job -> { });

            Document result = Document.parse(Files.readString(world.spool.done().resolve("keys.result.json")));
            assertEquals((long) keys.size(), ((Number) result.get("documentsRead")).longValue());
            Map<Integer, Integer> actual = new HashMap<>();
            for (Document d : client.getDatabase("ferrytest").getCollection("keys").find()) {
                actual.put(d.getInteger("_id"), d.getInteger("line"));
            }
            assertEquals(last, new TreeMap<>(actual), "lanes " + lanes + ", chunks of " + chunkSize
                    + ", every " + failEvery + "th write failing");
        }
    }
}
