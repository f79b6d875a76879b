package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.assertAddsUp;
import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.contents;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.IndexOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files loaded by a running daemon as a person would: csv with types, gzip, bad records with and
 * without {@code "onInvalid": "skip"}, permanent rejections by the server, the key's index, and ids
 * made from positions. Every result is checked against its equation.
 */
class FilesEndToEndTest {
    @TempDir
    Path dir;
    private LoadingDaemon e2e;

    @BeforeEach
    void start() {
        e2e = new LoadingDaemon(dir, 3);
    }

    @AfterEach
    void stop() {
        e2e.close();
    }

    @Test
    void aGzippedCsvWithTypesAndNestedColumnsLandsAsDocuments() throws Exception {
        Path csv = e2e.data("people.csv.gz", "\uFEFF_id,name,address.city,born,vip\r\n"
                + "1,\"Smith, Ann\",Berlin,2026-11-26,true\r\n\r\n2,Bob,,1990-01-02T03:04:05Z,false\r\n");
        Document source = file(csv, "csv").append("types", new Document("born", "date").append("vip", "bool"))
                .append("ignoreBlanks", true);
        e2e.spool.drop("people.json", job(null, source, "people").toJson());
        Document result = e2e.spool.awaitDone("people", OUTCOME);
        assertEquals(2L, number(result, "documentsRead"));
        assertEquals(2L, number(result, "upserted"));
        assertAddsUp(result);
        assertEquals(List.of(
                BsonDocument.parse("{_id: 1, name: 'Smith, Ann', address: {city: 'Berlin'}, born: {$date: '2026-11-26T00:00:00Z'}, vip: true}"),
                BsonDocument.parse("{_id: 2, name: 'Bob', born: {$date: '1990-01-02T03:04:05Z'}, vip: false}")),
                contents(e2e.client, "people"));
        assertFalse(Files.exists(e2e.conf.spool().resolve("done").resolve("people.rejected.ndjson")), "nothing rejected, no file");
    }

    @Test
    void withSkipEveryBadRecordAndEveryRefusedDocumentIsInTheRecordFileByLine() throws Exception {
        collection(e2e.client, "skip").createIndex(new BsonDocument("email", new BsonInt32(1)), new IndexOptions().unique(true));
        collection(e2e.client, "skip").insertOne(BsonDocument.parse("{_id: 100, email: 'taken@x'}"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(("{\"_id\": 1, \"email\": \"a@x\"}\r\n"          // 1
                + "\n"                                                  // 2 blank
                + "{\"_id\": 2, \"email\": \n"                          // 3 broken JSON
                + "42\n"                                                // 4 a bare value
                + "{\"_id\": 3, \"email\": \"taken@x\"}\n"              // 5 duplicate on another unique index
                + "{\"_id\": 4, \"$where\": 1}\n").getBytes(StandardCharsets.UTF_8)); // 6 a field name MongoDB refuses
        bytes.writeBytes("{\"_id\": 5, \"name\": \"Jos\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1)); // 7 not UTF-8
        bytes.writeBytes("{\"_id\": 6, \"email\": \"f@x\"}".getBytes(StandardCharsets.UTF_8)); // 8, no newline
        Path ndjson = e2e.data("skip.ndjson", bytes.toByteArray());
        e2e.spool.drop("skip.json", job(null, file(ndjson, "ndjson"), "skip").append("onInvalid", "skip").toJson());
        Document result = e2e.spool.awaitDone("skip", OUTCOME);
        assertEquals(7L, number(result, "documentsRead"), result.toJson());
        assertEquals(2L, number(result, "upserted"), result.toJson());
        assertEquals(5L, number(result, "rejected"), result.toJson());
        assertAddsUp(result);
        List<BsonDocument> rejected = e2e.rejectedLines("skip");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), rejected.stream().map(r -> r.getNumber("line").longValue()).toList());
        assertTrue(rejected.get(0).getString("reason").getValue().contains("not valid JSON"), rejected.toString());
        assertEquals("{\"_id\": 2, \"email\": ", rejected.get(0).getString("record").getValue());
        assertTrue(rejected.get(1).getString("reason").getValue().contains("expected a JSON object"), rejected.toString());
        assertTrue(rejected.get(2).getString("reason").getValue().contains("unique index email_1"), rejected.toString());
        assertEquals(BsonDocument.parse("{_id: 3, email: 'taken@x'}"), rejected.get(2).getDocument("record"));
        assertTrue(rejected.get(3).getString("reason").getValue().contains("$where"), rejected.toString());
        assertTrue(rejected.get(4).getString("reason").getValue().contains("UTF-8"), rejected.toString());
        assertEquals(3L, collection(e2e.client, "skip").countDocuments());
        assertFalse(Files.exists(e2e.conf.spool().resolve("active").resolve(".skip.rejected.ndjson")));
    }

    @Test
    void aCsvRowWithBrokenQuotingIsRejectedWithItsTextSoItCanBeFixed() throws Exception {
        Path csv = e2e.data("quotes.csv.gz", "_id,name\r\n1,Ann\r\n2,\"Bob\"by,x\r\n3,\"Cid\r\nand\"co\r\n4,Dan\r\n");
        e2e.spool.drop("quotes.json", job(null, file(csv, "csv"), "quotes").append("onInvalid", "skip").toJson());
        Document result = e2e.spool.awaitDone("quotes", OUTCOME);
        assertEquals(4L, number(result, "documentsRead"), result.toJson());
        assertEquals(2L, number(result, "rejected"), result.toJson());
        assertAddsUp(result);
        List<BsonDocument> rejected = e2e.rejectedLines("quotes");
        assertEquals(List.of(3L, 4L), rejected.stream().map(r -> r.getNumber("line").longValue()).toList());
        assertTrue(rejected.get(0).getString("reason").getValue().startsWith("not valid csv: "), rejected.toString());
        assertEquals("2,\"Bob\"by,x", rejected.get(0).getString("record").getValue());
        assertEquals("3,\"Cid\r\nand\"co", rejected.get(1).getString("record").getValue());
        assertEquals(List.of(BsonDocument.parse("{_id: 1, name: 'Ann'}"), BsonDocument.parse("{_id: 4, name: 'Dan'}")),
                contents(e2e.client, "quotes"));
    }

    @Test
    void aDuplicateOnAnotherUniqueIndexFailsAtOnceNamingTheLineAndTheIndex() throws Exception {
        collection(e2e.client, "dup").createIndex(new BsonDocument("email", new BsonInt32(1)), new IndexOptions().unique(true));
        collection(e2e.client, "dup").insertOne(BsonDocument.parse("{_id: 100, email: 'taken@x'}"));
        Path ndjson = e2e.data("dup.ndjson", "{\"_id\": 1, \"email\": \"a@x\"}\n{\"_id\": 2, \"email\": \"taken@x\"}\n");
        e2e.spool.drop("dup.json", job(null, file(ndjson, "ndjson"), "dup").toJson());
        Document error = e2e.spool.awaitFailed("dup", OUTCOME);
        assertEquals("write-error", error.getString("kind"), error.toJson());
        assertEquals(1L, number(error, "attempts"), "not retried: " + error.toJson());
        String message = error.getString("message");
        assertTrue(message.contains("line 2 was rejected by the server: duplicate key on unique index email_1"), message);
    }

    @Test
    void aFieldNameMongoDbRefusesFailsNamingTheLine() throws Exception {
        Path ndjson = e2e.data("dollar.ndjson", "{\"_id\": 1}\n{\"_id\": 2}\n{\"_id\": 3, \"$set\": {\"a\": 1}}\n");
        e2e.spool.drop("dollar.json", job(null, file(ndjson, "ndjson"), "dollar").toJson());
        Document error = e2e.spool.awaitFailed("dollar", OUTCOME);
        assertEquals("write-error", error.getString("kind"), error.toJson());
        assertTrue(error.getString("message").contains("line 3 has a field named \"$set\""), error.toJson());
        e2e.spool.drop("dollar-merge.json", job(null, file(ndjson, "ndjson"), "dollar2").append("mode", "merge").toJson());
        Document merge = e2e.spool.awaitFailed("dollar-merge", OUTCOME);
        assertTrue(merge.getString("message").contains("line 3 was rejected by the server: error 52"), merge.toJson());
    }

    @Test
    void badRecordsFailTheJobNamingTheLine() throws Exception {
        Path bare = e2e.data("bare.ndjson", "{\"_id\": 1}\n\n\"just a string\"\n");
        e2e.spool.drop("bare.json", job(null, file(bare, "ndjson"), "bare").toJson());
        Document error = e2e.spool.awaitFailed("bare", OUTCOME);
        assertEquals("source-error", error.getString("kind"));
        assertTrue(error.getString("message").contains("line 3: expected a JSON object"), error.toJson());
        Path cell = e2e.data("cell.csv", "_id,age\n1,2\n2,old\n");
        e2e.spool.drop("cell.json", job(null, file(cell, "csv").append("types", new Document("age", "int")), "cell").toJson());
        Document cellError = e2e.spool.awaitFailed("cell", OUTCOME);
        assertTrue(cellError.getString("message").contains("line 3: column 2 (age): expected an int"), cellError.toJson());
    }

    @Test
    void anEmptyFileIsAJobOfNoDocuments() throws Exception {
        for (String name : List.of("empty.ndjson", "empty.csv", "empty.ndjson.gz")) {
            Path empty = e2e.data(name, "");
            String id = name.replace('.', '-');
            e2e.spool.drop(id + ".json", job(id, file(empty, name.contains("csv") ? "csv" : "ndjson"), "empty").toJson());
            Document result = e2e.spool.awaitDone(id, OUTCOME);
            assertEquals(0L, number(result, "documentsRead"), result.toJson());
        }
    }

    @Test
    void aKeyOtherThanIdGetsAnIndexBeforeTheFirstChunk() throws Exception {
        Path csv = e2e.data("skus.csv", "sku,shop,price\na,1,3\nb,1,4\n");
        e2e.spool.drop("skus.json", job(null, file(csv, "csv"), "skus").append("key", List.of("sku", "shop")).toJson());
        assertAddsUp(e2e.spool.awaitDone("skus", OUTCOME));
        List<BsonDocument> indexes = collection(e2e.client, "skus").listIndexes(BsonDocument.class).into(new ArrayList<>());
        assertTrue(indexes.stream().anyMatch(i -> i.getDocument("key").equals(BsonDocument.parse("{sku: 1, shop: 1}"))
                && i.getBoolean("unique", BsonBoolean.FALSE).getValue()), "unique, as made in an empty collection: " + indexes);
    }

    @Test
    void idsFromPositionsAreTheSameOnARerunSoNothingIsWrittenTwice() throws Exception {
        Path csv = e2e.data("anon.csv", "name\nann\nbob\nann\n");
        Document job = job("anon", file(csv, "csv"), "anon").append("idFrom", "position").append("mode", "insert");
        e2e.spool.drop("anon.json", job.toJson());
        Document first = e2e.spool.awaitDone("anon", OUTCOME);
        assertEquals(3L, number(first, "inserted"), first.toJson());
        List<BsonDocument> once = contents(e2e.client, "anon");
        Files.delete(e2e.conf.spool().resolve("done").resolve("anon.result.json"));
        e2e.spool.drop("anon.json", job.toJson());
        Document second = e2e.spool.awaitDone("anon", OUTCOME);
        assertEquals(3L, number(second, "skipped"), second.toJson());
        assertEquals(once, contents(e2e.client, "anon"));
        assertEquals(3, once.stream().map(d -> d.get("_id")).distinct().count());
    }
}
