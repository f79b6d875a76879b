package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.TestMongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator checks after a copy: {@code "verify": true} ends in done/ with counts when the copy
 * is equal, and a {@code "mode": "verify"} job names exactly the keys a hand damaged (deleted,
 * added, a nested value changed, a number's type changed, a field moved) with the right kinds, ending
 * {@code verify-mismatch}; a file-source comparison finds a document deleted from its destination.
 */
class VerifyEndToEndTest {

    @TempDir
    Path dir;

    private TestMongoServer server;
    private MongoClient client;
    private JobWorld world;

    @BeforeEach
    void start() throws Exception {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        world = new JobWorld(new FerryConf(dir, server.uri()).set("chunk.size", "7")
                .set("connection.src.uri", server.uri()).set("connection.src.database", "srcdb"));
    }

    @AfterEach
    void stop() {
        world.close();
        client.close();
        server.close();
    }

    private MongoCollection<Document> collection(String db, String name) {
        return client.getDatabase(db).getCollection(name);
    }

    private void run(String id, String json) throws Exception {
        world.task.run(world.claim(id, json), job -> { }, job -> { });
    }

    private static Document file(Path path) throws Exception {
        return Document.parse(Files.readString(path));
    }

    private static final String COPY = "{\"source\": {\"type\": \"mongodb\", \"connection\": \"src\", \"collection\":"
            + " \"people\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"people\"}, \"lanes\": 4%s}";

    @Test
    void aVerifiedCopyIsDoneWithItsCountsAndAHandDamagedCopyIsNamedKeyByKey() throws Exception {
        List<Document> people = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            people.add(new Document("_id", i).append("name", "p" + i).append("age", 20 + i % 50)
                    .append("address", new Document("city", "c" + i % 5).append("zip", 1000 + i)));
        }
        collection("srcdb", "people").insertMany(people);

        run("copy", COPY.formatted(", \"verify\": true"));
        Document result = file(world.spool.done().resolve("copy.result.json"));
        Document verify = (Document) result.get("verify");
        assertEquals(100L, ((Number) verify.get("compared")).longValue(), result.toJson());
        assertEquals(100L, ((Number) verify.get("equal")).longValue());
        for (String kind : List.of("missing", "extra", "different")) {
            assertEquals(0L, ((Number) verify.get(kind)).longValue(), kind);
        }
        assertTrue(((Number) verify.get("seconds")).doubleValue() >= 0);
        assertFalse(Files.exists(world.spool.done().resolve("copy.verify.ndjson")), "nothing to list");

        MongoCollection<Document> copy = collection("ferrytest", "people");
        copy.deleteOne(new Document("_id", 3));
        copy.deleteOne(new Document("_id", 77));
        copy.insertOne(new Document("_id", 500).append("name", "stranger"));
        copy.updateOne(new Document("_id", 10), new Document("$set", new Document("address.zip", 9999)));
        // a number's type changed and a field moved: deleted and inserted again, because the test server
        // leaves a $set of an equal number as it was and keeps a replaced document's field order
        copy.deleteOne(new Document("_id", 20));
        copy.insertOne(new Document("_id", 20).append("name", "p20").append("age", (long) (20 + 20 % 50))
                .append("address", new Document("city", "c0").append("zip", 1020)));
        copy.deleteOne(new Document("_id", 30));
        copy.insertOne(new Document("_id", 30).append("age", 20 + 30 % 50).append("name", "p30")
                .append("address", new Document("city", "c0").append("zip", 1030)));

        run("check", COPY.formatted(", \"mode\": \"verify\""));
        Document error = file(world.spool.failed().resolve("check.error.json"));
        assertEquals("verify-mismatch", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("2 missing, 1 extra, 3 different"), error.getString("message"));
        Document counts = (Document) error.get("verify");
        assertEquals(100L, ((Number) counts.get("compared")).longValue());
        assertEquals(95L, ((Number) counts.get("equal")).longValue());
        Set<String> listed = new HashSet<>();
        for (String line : Files.readAllLines(world.spool.failed().resolve("check.verify.ndjson"))) {
            Document d = Document.parse(line);
            listed.add(((Document) d.get("key")).get("_id") + " " + d.getString("kind"));
        }
        assertEquals(Set.of("3 missing", "77 missing", "500 extra", "10 different", "20 different", "30 different"),
                listed);
        assertEquals(99, copy.countDocuments(), "a comparison writes nothing");
    }

    @Test
    void aFileComparisonFindsADocumentDeletedFromItsDestination() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"_id\": ").append(i).append(", \"n\": ").append(i * 2).append("}\n");
        }
        Path data = Files.writeString(dir.resolve("data").resolve("n.ndjson"), lines);
        String job = "{\"source\": {\"type\": \"file\", \"path\": \"" + data + "\", \"format\": \"ndjson\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"n\"}%s}";
        run("load", job.formatted(", \"verify\": true"));
        assertEquals(40L, ((Number) ((Document) file(world.spool.done().resolve("load.result.json")).get("verify"))
                .get("equal")).longValue());

        collection("ferrytest", "n").deleteOne(new Document("_id", 12));
        collection("ferrytest", "n").insertOne(new Document("_id", 1000)); // not in the file: no concern of a file's check
        run("again", job.formatted(", \"mode\": \"verify\""));
        Document error = file(world.spool.failed().resolve("again.error.json"));
        assertEquals("verify-mismatch", error.getString("kind"));
        Document counts = (Document) error.get("verify");
        assertEquals(1L, ((Number) counts.get("missing")).longValue());
        assertEquals(0L, ((Number) counts.get("extra")).longValue());
        assertEquals(List.of("{\"key\": {\"_id\": 12}, \"kind\": \"missing\"}"),
                Files.readAllLines(world.spool.failed().resolve("again.verify.ndjson")));
        assertEquals(40L, ((Number) counts.get("compared")).longValue());
    }
}
