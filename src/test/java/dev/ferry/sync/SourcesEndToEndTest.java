package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.assertResult;
import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.contents;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.inline;
import static dev.ferry.sync.EndToEnd.job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.ferry.sync.EndToEnd.Counts;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job of each source type, dropped into a running daemon, as a user would: each lands in done/ with a
 * result file whose every field is right, and the destination holds exactly the expected documents.
 */
class SourcesEndToEndTest {
    private static final int DEFAULT_CHUNK = 2;

    @TempDir
    Path dir;
    private TestMongoServer server;
    private MongoClient client;
    private FerryConf conf;
    private DaemonFixture daemon;
    private Spooler spool;

    @BeforeEach
    void start() {
        server = new TestMongoServer();
        client = MongoClients.create(server.uri());
        conf = new FerryConf(dir, server.uri()).set("chunk.size", String.valueOf(DEFAULT_CHUNK));
        spool = new Spooler(conf.spool());
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        client.close();
        server.close();
    }

    private void startDaemon() {
        daemon = new DaemonFixture(conf, null).start();
    }

    @Test
    void ndjsonUpsertReplacesExistingDocumentsWholeInChunksOfTheJobsSize() throws Exception {
        List<BsonDocument> expected = IntStream.range(0, 25).mapToObj(i -> BsonDocument.parse(
                "{\"_id\": " + i + ", \"name\": \"n" + i + "\", \"tags\": [\"t" + (i % 3) + "\"], \"nested\": {\"v\": "
                        + i * 10 + "}}")).toList();
        Path data = conf.data().resolve("people.ndjson");
        EndToEnd.write(data, expected.stream().map(BsonDocument::toJson).toList());
        // five keys exist with other content and an extra field: upsert replaces them whole
        collection(client, "people").insertMany(IntStream.range(0, 5)
                .mapToObj(i -> BsonDocument.parse("{\"_id\": " + i + ", \"name\": \"old\", \"stale\": true}")).toList());
        startDaemon();

        spool.drop("people.json", job(null, file(data, "ndjson"), "people").append("chunkSize", 10).toJson());

        Document result = spool.awaitDone("people", OUTCOME);
        assertResult(result, "people", "file:" + data.toRealPath(), "dest/ferrytest.people", "upsert",
                new Counts(25, 0, 5, 5, 20, 0, 3));
        assertEquals(expected, contents(client, "people"));
        assertTrue(spool.count("done") == 1 && spool.count("failed") == 0 && spool.count("active") == 0);
    }

    @Test
    void jsonArrayWithExtendedJsonInInsertModeSkipsAndCountsExistingKeysInChunksOfTheDefaultSize() throws Exception {
        String array = "[\n"
                + "  {\"_id\": 1, \"at\": {\"$date\": \"2026-01-02T03:04:05Z\"}, \"price\": {\"$numberDecimal\": \"12.50\"}},\n"
                + "  {\"_id\": 2, \"at\": {\"$date\": \"2026-01-03T00:00:00Z\"}, \"price\": {\"$numberDecimal\": \"0.10\"}},\n"
                + "  {\"_id\": 3, \"at\": {\"$date\": \"2026-01-04T00:00:00.123Z\"}, \"price\": {\"$numberDecimal\": \"1E+3\"},"
                + " \"big\": {\"$numberLong\": \"9007199254740993\"}},\n"
                + "  {\"_id\": 4, \"at\": {\"$date\": {\"$numberLong\": \"0\"}}, \"price\": {\"$numberDecimal\": \"-7\"}},\n"
                + "  {\"_id\": 5, \"oid\": {\"$oid\": \"5f0000000000000000000005\"}, \"price\": {\"$numberDecimal\": \"3.3\"}}\n"
                + "]\n";
        Path data = conf.data().resolve("prices.json");
        Files.writeString(data, array);
        BsonDocument existing1 = BsonDocument.parse("{\"_id\": 1, \"price\": \"keep me\"}");
        BsonDocument existing4 = BsonDocument.parse("{\"_id\": 4, \"price\": \"keep me too\"}");
        collection(client, "prices").insertMany(List.of(existing1, existing4));
        startDaemon();

        // no chunkSize in the job: chunk.size (2) applies, so 5 documents make 3 chunks
        spool.drop("prices.json", job("prices-1", file(data, "json-array"), "prices").append("mode", "insert").toJson());

        Document result = spool.awaitDone("prices-1", OUTCOME);
        assertResult(result, "prices-1", "file:" + data.toRealPath(), "dest/ferrytest.prices", "insert",
                new Counts(5, 3, 0, 0, 0, 2, 3));
        List<BsonValue> fromFile = new ArrayList<>(BsonArray.parse(array));
        List<BsonDocument> expected = List.of(existing1, fromFile.get(1).asDocument(), fromFile.get(2).asDocument(),
                existing4, fromFile.get(4).asDocument());
        assertEquals(expected, contents(client, "prices"));
        // the types a user asked for with Extended JSON arrive as such, not as strings or sub-documents
        Document three = client.getDatabase(EndToEnd.DB).getCollection("prices").find(Filters.eq("_id", 3)).first();
        assertEquals(Date.from(Instant.parse("2026-01-04T00:00:00.123Z")), three.getDate("at"));
        assertEquals(new Decimal128(new BigDecimal("1E+3")), three.get("price"));
        assertEquals(9007199254740993L, three.getLong("big"));
        assertTrue(spool.count("done") == 1 && spool.count("failed") == 0);
    }

    @Test
    void inlineMergeWithACompositeKeySetsOnlyItsFieldsAndKeepsTheRest() {
        collection(client, "stock").insertMany(List.of(
                BsonDocument.parse("{\"_id\": \"a\", \"region\": \"eu\", \"code\": 1, \"qty\": 5, \"note\": \"keep\"}"),
                BsonDocument.parse("{\"_id\": \"b\", \"region\": \"eu\", \"code\": 2, \"qty\": 7, \"note\": \"same\"}"),
                // same code, other region: a key of code alone would hit this one
                BsonDocument.parse("{\"_id\": \"c\", \"region\": \"us\", \"code\": 1, \"qty\": 9}")));
        startDaemon();
        List<Document> documents = List.of(
                Document.parse("{\"region\": \"eu\", \"code\": 1, \"qty\": 6}"),
                Document.parse("{\"region\": \"eu\", \"code\": 2, \"qty\": 7}"),
                Document.parse("{\"region\": \"asia\", \"code\": 1, \"qty\": 1, \"note\": \"new\"}"));

        spool.drop("stock.json", job("stock", inline(documents), "stock").append("mode", "merge")
                .append("key", List.of("region", "code")).append("chunkSize", 2).toJson());

        Document result = spool.awaitDone("stock", OUTCOME);
        // eu/1 changed, eu/2 matched unchanged, asia/1 upserted
        assertResult(result, "stock", "inline:3 documents", "dest/ferrytest.stock", "merge",
                new Counts(3, 0, 2, 1, 1, 0, 2));
        List<BsonDocument> after = contents(client, "stock");
        assertEquals(4, after.size(), after.toString());
        assertEquals(BsonDocument.parse("{\"_id\": \"a\", \"region\": \"eu\", \"code\": 1, \"qty\": 6, \"note\": \"keep\"}"),
                after.get(0));
        assertEquals(BsonDocument.parse("{\"_id\": \"b\", \"region\": \"eu\", \"code\": 2, \"qty\": 7, \"note\": \"same\"}"),
                after.get(1));
        assertEquals(BsonDocument.parse("{\"_id\": \"c\", \"region\": \"us\", \"code\": 1, \"qty\": 9}"), after.get(2));
        BsonDocument asia = after.get(3);
        assertTrue(asia.isObjectId("_id"), asia.toJson());
        asia.remove("_id");
        // field order of an upserted merge is the server's business; the content is not
        assertEquals(new TreeMap<>(BsonDocument.parse("{\"region\": \"asia\", \"code\": 1, \"qty\": 1, \"note\": \"new\"}")),
                new TreeMap<>(asia));
    }

    @Test
    void mongodbSourceCopiesTheFilteredProjectedDocumentsOfAnotherCollection() {
        collection(client, "orders").insertMany(IntStream.range(0, 30).mapToObj(i -> BsonDocument.parse(
                "{\"_id\": " + i + ", \"status\": \"" + (i % 3 == 0 ? "open" : "closed") + "\", \"total\": " + i
                        + ", \"card\": \"4111-" + i + "\"}")).toList());
        startDaemon();
        Document source = new Document("type", "mongodb").append("connection", "dest").append("collection", "orders")
                .append("filter", Document.parse("{\"status\": \"open\", \"total\": {\"$gte\": 3}}"))
                .append("projection", Document.parse("{\"card\": 0}"));

        spool.drop("copy.json", job("copy-open", source, "openOrders").append("chunkSize", 4).toJson());

        Document result = spool.awaitDone("copy-open", OUTCOME);
        // 3, 6, ..., 27: nine documents in chunks of 4
        assertResult(result, "copy-open", "mongodb:dest/ferrytest.orders", "dest/ferrytest.openOrders", "upsert",
                new Counts(9, 0, 0, 0, 9, 0, 3));
        List<BsonDocument> expected = IntStream.range(1, 10).map(i -> i * 3).mapToObj(i -> BsonDocument.parse(
                "{\"_id\": " + i + ", \"status\": \"open\", \"total\": " + i + "}")).toList();
        assertEquals(expected, contents(client, "openOrders"));
        assertEquals(30, collection(client, "orders").countDocuments(), "the source is left as it was");
        assertFalse(contents(client, "openOrders").stream().anyMatch(d -> d.containsKey("card")));
        assertEquals(List.of("copy-open.json", "copy-open.result.json"), doneFiles());
    }

    private List<String> doneFiles() {
        try (var files = Files.list(conf.spool().resolve("done"))) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
