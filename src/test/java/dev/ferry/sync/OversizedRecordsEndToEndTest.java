package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.assertAddsUp;
import static dev.ferry.sync.EndToEnd.contents;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real record over MongoDB's 16 MiB limit in the middle of a file: named by line in error.json with
 * {@code "onInvalid": "fail"}, rejected with {@code skip} while the records after it are written.
 */
class OversizedRecordsEndToEndTest {
    /** One MiB more than MongoDB's limit, so the record cannot fit whatever its encoding. */
    private static final String HUGE = "x".repeat(17 << 20);

    @TempDir
    Path dir;
    private LoadingDaemon e2e;

    @BeforeEach
    void start() {
        e2e = new LoadingDaemon(dir, 2);
    }

    @AfterEach
    void stop() {
        e2e.close();
    }

    private static final List<BsonDocument> AROUND = List.of(BsonDocument.parse("{_id: 1}"), BsonDocument.parse("{_id: 3}"));

    @Test
    void anNdjsonLineOver16MiBFailsTheJobNamingItsLineOrWithSkipIsRejectedWhileTheJobGoesOn() {
        Path ndjson = e2e.data("huge.ndjson", "{\"_id\": 1}\n\n{\"_id\": 2, \"big\": \"" + HUGE + "\"}\n{\"_id\": 3}\n");

        e2e.spool.drop("huge-fail.json", job("huge-fail", file(ndjson, "ndjson"), "fail").toJson());
        Document error = e2e.spool.awaitFailed("huge-fail", OUTCOME);
        assertEquals("source-error", error.getString("kind"), error.toJson());
        String message = error.getString("message");
        assertTrue(message.contains(ndjson + ": line 3: the document is "), message);
        assertTrue(message.contains("over MongoDB's limit of 16777216 bytes (16 MiB)"), message);
        assertTrue(message.contains("fix or remove that line in " + ndjson), message);

        e2e.spool.drop("huge-skip.json", job("huge-skip", file(ndjson, "ndjson"), "skip").append("onInvalid", "skip").toJson());
        assertOneRejectedOnLine3("huge-skip", "{\"_id\": 2, \"big\": \"xxx");
        assertEquals(AROUND, contents(e2e.client, "skip"));
    }

    @Test
    void aCsvRowOver16MiBFailsTheJobNamingItsLineOrWithSkipIsRejectedWhileTheJobGoesOn() {
        Path csv = e2e.data("huge.csv", "_id,big\n1,\n2,\"" + HUGE + "\"\n3,\n");
        Document source = file(csv, "csv").append("ignoreBlanks", true);

        e2e.spool.drop("csv-fail.json", job("csv-fail", source, "csvfail").toJson());
        Document error = e2e.spool.awaitFailed("csv-fail", OUTCOME);
        assertEquals("source-error", error.getString("kind"), error.toJson());
        String message = error.getString("message");
        assertTrue(message.contains(csv + ": line 3: the row is longer than 16777216 characters"), message);
        assertTrue(message.contains("16 MiB"), message);

        e2e.spool.drop("csv-skip.json", job("csv-skip", source, "csvskip").append("onInvalid", "skip").toJson());
        assertOneRejectedOnLine3("csv-skip", "2,\"xxx");
        assertEquals(AROUND, contents(e2e.client, "csvskip"));
    }

    @Test
    void aJsonArrayElementOver16MiBFailsTheJobNamingItOrWithSkipIsRejectedWhileTheJobGoesOn() {
        String element = "{\"_id\": 2, \"big\": \"" + HUGE + "\"}";
        Path json = e2e.data("huge.json", "[{\"_id\": 1},\n " + element + ",\n {\"_id\": 3}]");

        e2e.spool.drop("array-fail.json", job("array-fail", file(json, "json-array"), "arrayfail").toJson());
        Document error = e2e.spool.awaitFailed("array-fail", OUTCOME);
        assertEquals("source-error", error.getString("kind"), error.toJson());
        String message = error.getString("message");
        assertTrue(message.contains("element 2 of the array (line 2): the document is "), message);
        assertTrue(message.contains("over MongoDB's limit of 16777216 bytes (16 MiB)"), message);

        e2e.spool.drop("array-skip.json", job("array-skip", file(json, "json-array"), "arrayskip").append("onInvalid", "skip")
                .toJson());
        Document result = e2e.spool.awaitDone("array-skip", OUTCOME);
        assertEquals(3L, number(result, "documentsRead"), result.toJson());
        assertEquals(1L, number(result, "rejected"), result.toJson());
        assertAddsUp(result);
        List<BsonDocument> rejected = EndToEnd.rejectedLines(e2e.conf.spool().resolve("done"), "array-skip");
        assertEquals(List.of(2L), rejected.stream().map(r -> r.getNumber("element").longValue()).toList());
        assertTrue(rejected.get(0).getString("reason").getValue().contains("16 MiB"), rejected.get(0).getString("reason").getValue());
        String record = rejected.get(0).getString("record").getValue();
        assertTrue(record.startsWith("{\"_id\": 2, \"big\": \"xxx"), record.substring(0, Math.min(40, record.length())));
        assertTrue(record.endsWith("... (" + element.length() + " characters)"), record.substring(Math.max(0, record.length() - 40)));
        assertTrue(record.length() < 100_000, "the rejected file keeps the start of a huge element, not all of it");
        assertEquals(AROUND, contents(e2e.client, "arrayskip"));
    }

    /** result.json counts the huge record as read and rejected, and the rejected file keeps its start. */
    private void assertOneRejectedOnLine3(String id, String recordStart) {
        Document result = e2e.spool.awaitDone(id, OUTCOME);
        assertEquals(3L, number(result, "documentsRead"), result.toJson());
        assertEquals(2L, number(result, "upserted"), result.toJson());
        assertEquals(1L, number(result, "rejected"), result.toJson());
        assertAddsUp(result);
        List<BsonDocument> rejected = EndToEnd.rejectedLines(e2e.conf.spool().resolve("done"), id);
        assertEquals(1, rejected.size(), rejected.toString());
        assertEquals(3L, rejected.get(0).getNumber("line").longValue());
        assertTrue(rejected.get(0).getString("reason").getValue().contains("16 MiB"), rejected.get(0).getString("reason").getValue());
        String record = rejected.get(0).getString("record").getValue();
        assertTrue(record.startsWith(recordStart), record.substring(0, 40));
        assertTrue(record.length() < 100_000, "the rejected file keeps the start of a huge record, not all of it");
    }
}
