package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.assertAddsUp;
import static dev.ferry.sync.EndToEnd.contents;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** json-array files loaded by a running daemon: gzipped, with bad elements skipped, with broken JSON. */
class JsonArrayEndToEndTest {
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
    void aGzippedJsonArrayIsDecompressedWhileItIsRead() {
        String array = IntStream.range(0, 8).mapToObj(i -> "{\"_id\": " + i + ", \"name\": \"n" + i + "\"}")
                .collect(Collectors.joining(",\n  ", "\uFEFF[\n  ", "\n]\n"));
        Path gz = e2e.data("people.json.gz", array.getBytes(StandardCharsets.UTF_8));
        e2e.spool.drop("people.json", job(null, file(gz, "json-array"), "people").toJson());
        Document result = e2e.spool.awaitDone("people", OUTCOME);
        assertEquals(8L, number(result, "documentsRead"), result.toJson());
        assertEquals(8L, number(result, "upserted"), result.toJson());
        assertEquals(3L, number(result, "chunks"), result.toJson());
        assertAddsUp(result);
        assertEquals(IntStream.range(0, 8).mapToObj(i -> BsonDocument.parse("{_id: " + i + ", name: 'n" + i + "'}")).toList(),
                contents(e2e.client, "people"));
    }

    @Test
    void withSkipBareValuesAndElementsThatAreNotUtf8AreRejectedByElementAndTheRestIsWritten() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(("[{\"_id\": 1},\n"        // element 1, line 1
                + " 42,\n"                          // 2, a bare number
                + " {\"_id\": 2},\n"                // 3
                + " \"just text\",\n"               // 4, a bare string
                + " [{\"_id\": 9}],\n").getBytes(StandardCharsets.UTF_8)); // 5, an array in an array
        bytes.writeBytes(" {\"_id\": 5, \"name\": \"Jos\u00e9\"},\n".getBytes(StandardCharsets.ISO_8859_1)); // 6, not UTF-8
        bytes.writeBytes(" {\"_id\": 3}]\n".getBytes(StandardCharsets.UTF_8)); // 7
        Path gz = e2e.data("mixed.json.gz", bytes.toByteArray());
        e2e.spool.drop("mixed.json", job(null, file(gz, "json-array"), "mixed").append("onInvalid", "skip").toJson());
        Document result = e2e.spool.awaitDone("mixed", OUTCOME);
        assertEquals(7L, number(result, "documentsRead"), result.toJson());
        assertEquals(3L, number(result, "upserted"), result.toJson());
        assertEquals(4L, number(result, "rejected"), result.toJson());
        assertAddsUp(result);
        assertEquals(List.of(BsonDocument.parse("{_id: 1}"), BsonDocument.parse("{_id: 2}"), BsonDocument.parse("{_id: 3}")),
                contents(e2e.client, "mixed"));

        List<BsonDocument> rejected = EndToEnd.rejectedLines(e2e.conf.spool().resolve("done"), "mixed");
        assertEquals(List.of(2L, 4L, 5L, 6L), rejected.stream().map(r -> r.getNumber("element").longValue()).toList());
        assertEquals(new BsonInt32(42), rejected.get(0).get("record"));
        assertTrue(rejected.get(0).getString("reason").getValue().contains("a value of type int32 where a document"),
                rejected.toString());
        assertEquals(new BsonString("just text"), rejected.get(1).get("record"));
        assertTrue(rejected.get(2).get("record").isArray(), rejected.toString());
        assertTrue(rejected.get(3).getString("reason").getValue().contains("not valid UTF-8"), rejected.toString());
        assertEquals(5, rejected.get(3).getDocument("record").getInt32("_id").getValue(), rejected.toString());
    }

    @Test
    void brokenJsonInAnArrayFailsTheJobEvenWithSkipNamingTheElementAndItsLine() {
        Path json = e2e.data("broken.json", ("[{\"_id\": 1}, {\"_id\": 2}, 7,\n {\"_id\": 3},\n {\"_id\": 4, \"a\": },\n"
                + " {\"_id\": 5}]").getBytes(StandardCharsets.UTF_8));
        e2e.spool.drop("broken.json", job(null, file(json, "json-array"), "broken").append("onInvalid", "skip").toJson());
        Document error = e2e.spool.awaitFailed("broken", OUTCOME);
        assertEquals("source-error", error.getString("kind"), error.toJson());
        String message = error.getString("message");
        assertTrue(message.contains(": element 5 of the array (line 3) in " + json), message);
        assertTrue(message.contains("not valid JSON") && message.contains("broken JSON cannot be skipped"), message);
        // the first chunk (elements 1-3) was written and its bare value rejected before element 5 was read
        assertEquals(List.of(BsonDocument.parse("{_id: 1}"), BsonDocument.parse("{_id: 2}")), contents(e2e.client, "broken"));
        assertEquals(List.of(3L), EndToEnd.rejectedLines(e2e.conf.spool().resolve("failed"), "broken")
                .stream().map(r -> r.getNumber("element").longValue()).toList());
    }
}
