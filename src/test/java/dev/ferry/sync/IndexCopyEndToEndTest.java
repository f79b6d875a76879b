package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import dev.ferry.queue.JobClaim;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mongodb → mongodb copy builds the source's indexes on its destination (name, key, options), as an
 * operator checks with {@code getIndexes()}; an index whose name the destination uses for another spec,
 * or that the copied data violates, fails the job {@code index-error} naming it; {@code "indexes": "none"}
 * builds none.
 */
class IndexCopyEndToEndTest {

    @TempDir
    Path dir;

    private TestMongoServer server;
    private MongoClient client;
    private JobWorld world;

    @BeforeEach
    void start() throws Exception {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        MongoCollection<Document> people = client.getDatabase("srcdb").getCollection("people");
        for (int i = 0; i < 30; i++) {
            people.insertOne(new Document("_id", i).append("email", "u" + i + "@example.com")
                    .append("sku", "s" + i).append("shop", i % 3));
        }
        people.createIndex(new Document("email", 1), new IndexOptions().unique(true));
        people.createIndex(new Document("sku", 1).append("shop", -1), new IndexOptions().unique(true).sparse(true)
                .name("sku_shop"));
        server.enableOplog(); // a replica set's oplog starts after the seed; the embedded one would replay it
        world = new JobWorld(new FerryConf(dir, server.uri()).set("chunk.size", "7")
                .set("connection.src.uri", server.uri()).set("connection.src.database", "srcdb"));
    }

    @AfterEach
    void stop() {
        world.close();
        client.close();
        server.close();
    }

    private void run(String id, String extra) throws Exception {
        world.task.run(world.claim(id, "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\", \"collection\":"
                + " \"people\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + id + "\"}" + extra
                + "}"), job -> { }, job -> { });
    }

    /** name → the index as getIndexes() shows it, without the server's version. */
    private Map<String, Document> indexes(String db, String collection) {
        Map<String, Document> byName = new TreeMap<>();
        for (Document index : client.getDatabase(db).getCollection(collection).listIndexes()) {
            index.remove("v");
            index.remove("ns");
            byName.put(index.getString("name"), index);
        }
        return byName;
    }

    @Test
    void aCopyBuildsTheSourcesIndexesWithTheirOptions() throws Exception {
        run("copied", "");
        assertTrue(Files.exists(world.spool.done().resolve("copied.result.json")));
        Map<String, Document> source = indexes("srcdb", "people");
        Map<String, Document> copied = indexes("ferrytest", "copied");
        assertEquals(source.get("email_1"), copied.get("email_1"));
        assertEquals(source.get("sku_shop"), copied.get("sku_shop"));
        assertEquals(true, copied.get("sku_shop").getBoolean("unique"));

        run("again", ""); // built already, with the same spec: nothing to do
        assertTrue(Files.exists(world.spool.done().resolve("again.result.json")));
    }

    @Test
    void aFollowJobHasTheSourcesIndexesOnceItFollows() throws Exception {
        JobClaim claim = world.claim("followed", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                + " \"collection\": \"people\", \"follow\": true}, \"destination\": {\"connection\": \"dest\","
                + " \"collection\": \"followed\"}}");
        List<RunningJob> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            worker.submit(() -> world.task.run(claim, jobs::add, job -> { }));
            dev.ferry.testing.Await.until(java.time.Duration.ofSeconds(30),
                    () -> !jobs.isEmpty() && "FOLLOWING".equals(jobs.get(0).getPhase()), "following");
            Map<String, Document> source = indexes("srcdb", "people");
            Map<String, Document> copied = indexes("ferrytest", "followed");
            assertEquals(source.get("email_1"), copied.get("email_1"));
            assertEquals(source.get("sku_shop"), copied.get("sku_shop"));
            assertTrue(jobs.get(0).requestFinish());
            world.gate.signal();
        } finally {
            worker.shutdown();
            assertTrue(worker.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void theSourcesIndexOnTheJobsKeyReplacesTheOneFerryMadeUnderItsName() throws Exception {
        MongoCollection<Document> items = client.getDatabase("srcdb").getCollection("items");
        for (int i = 0; i < 20; i++) {
            items.insertOne(new Document("_id", i).append("sku", "s" + i));
        }
        items.createIndex(new Document("sku", 1), new IndexOptions().unique(true).sparse(true));
        world.task.run(world.claim("keyed", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\","
                + " \"collection\": \"items\"}, \"destination\": {\"connection\": \"dest\", \"collection\":"
                + " \"keyed\"}, \"key\": [\"sku\"]}"), job -> { }, job -> { });
        assertTrue(Files.exists(world.spool.done().resolve("keyed.result.json")), "ferry's sku_1 made way");
        assertEquals(indexes("srcdb", "items").get("sku_1"), indexes("ferrytest", "keyed").get("sku_1"));
    }

    @Test
    void noIndexesWhenTheJobSaysNone() throws Exception {
        run("bare", ", \"indexes\": \"none\"");
        assertTrue(Files.exists(world.spool.done().resolve("bare.result.json")));
        assertEquals(List.of("_id_"), new ArrayList<>(indexes("ferrytest", "bare").keySet()));
    }

    @Test
    void aNameTakenByAnotherSpecOrDataThatViolatesAnIndexFailsTheJobNamingIt() throws Exception {
        client.getDatabase("ferrytest").getCollection("taken").createIndex(new Document("sku", 1),
                new IndexOptions().unique(true).name("email_1"));
        run("taken", "");
        Document error = Document.parse(Files.readString(world.spool.failed().resolve("taken.error.json")));
        assertEquals("index-error", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("index email_1 exists on"), error.getString("message"));

        // the destination already holds another document with one of the source's emails
        client.getDatabase("ferrytest").getCollection("violated").insertOne(new Document("_id", 999)
                .append("email", "u3@example.com"));
        run("violated", "");
        error = Document.parse(Files.readString(world.spool.failed().resolve("violated.error.json")));
        assertEquals("index-error", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("index email_1"), error.getString("message"));
        assertFalse(indexes("ferrytest", "violated").containsKey("email_1"));
        assertEquals(31, client.getDatabase("ferrytest").getCollection("violated").countDocuments(),
                "what was copied stays");
    }
}
