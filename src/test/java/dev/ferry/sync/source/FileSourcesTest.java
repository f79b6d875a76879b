package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.SourceSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourcesTest {

    @TempDir
    Path dir;

    private static List<BsonDocument> documents(int n) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(BsonDocument.parse("{\"_id\": " + i + ", \"name\": \"n" + i + "\", \"oid\": {\"$oid\": \"" + new ObjectId().toHexString()
                    + "\"}, \"big\": {\"$numberLong\": \"" + (1L << 40) + i + "\"}}"));
        }
        return docs;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static String ndjson(List<BsonDocument> docs) {
        return docs.stream().map(BsonDocument::toJson).collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void ndjsonStreamsInChunksAndResumesFromTheCheckpointedOffset() throws Exception {
        List<BsonDocument> docs = documents(50);
        Path file = write("a.ndjson", ndjson(docs));
        SourceAssertions.assertStreamsAndResumes(start -> new NdjsonSource(file, start), docs, 3);
        SourceAssertions.assertStreamsAndResumes(start -> Sources.open(new SourceSpec.File(file, SourceSpec.FileFormat.NDJSON), start, null), docs, 7);
    }

    @Test
    void ndjsonResumeIsASeekToTheNextLine() throws Exception {
        Path file = write("a.ndjson", "{\"a\": 1}\r\n{\"a\": 2}\n{\"a\": 3}");
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            source.nextChunk(1);
            BsonDocument token = source.position().resumeToken().asDocument();
            assertEquals(new BsonInt64("{\"a\": 1}\r\n".length()), token.get("offset"));
            assertEquals(new BsonInt64(1), token.get("line"));
        }
    }

    @Test
    void ndjsonHandlesCrLfBlankLinesUnicodeBomAndAMissingFinalNewline() throws Exception {
        String text = "\uFEFF{\"name\": \"Zoë\"}\r\n\r\n   \n{\"name\": \"日本語 😀\"}\r\n\n{\"name\": \"last\"}";
        Path file = write("u.ndjson", text);
        List<BsonDocument> expected = List.of(
                new BsonDocument("name", new org.bson.BsonString("Zoë")),
                new BsonDocument("name", new org.bson.BsonString("日本語 😀")),
                new BsonDocument("name", new org.bson.BsonString("last")));
        SourceAssertions.assertStreamsAndResumes(start -> new NdjsonSource(file, start), expected, 1);
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            SourceAssertions.readAll(source, 2);
            assertEquals(new BsonInt64(Files.size(file)), source.position().resumeToken().asDocument().get("offset"));
        }
    }

    @Test
    void ndjsonMalformedLineNamesItsLineNumberAlsoAfterAResume() throws Exception {
        Path file = write("bad.ndjson", "{\"a\": 1}\n\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": \n{\"a\": 5}\n");
        SourceException e = assertThrows(SourceException.class, () -> {
            try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
                SourceAssertions.readAll(source, 100);
            }
        });
        assertTrue(e.getMessage().startsWith("line 5: not valid JSON"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());

        Position afterTwo;
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            source.nextChunk(2);
            afterTwo = source.position();
        }
        try (NdjsonSource resumed = new NdjsonSource(file, afterTwo)) {
            assertEquals(1, resumed.nextChunk(1).size());
            SourceException again = assertThrows(SourceException.class, () -> resumed.nextChunk(1));
            assertTrue(again.getMessage().startsWith("line 5:"), again.getMessage());
        }
    }

    @Test
    void ndjsonRejectsNonObjectsTrailingTextAndBadUtf8() throws Exception {
        assertLineError(write("arr.ndjson", "[1, 2]\n"), "line 1: expected a JSON object");
        assertLineError(write("trail.ndjson", "{\"a\": 1}\n{\"a\": 2} {\"b\": 3}\n"), "line 2: unexpected text after the JSON object");
        Path bad = dir.resolve("latin1.ndjson");
        Files.write(bad, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        assertLineError(bad, "line 1: not valid UTF-8");
    }

    private static void assertLineError(Path file, String prefix) throws SourceException {
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            SourceException e = assertThrows(SourceException.class, () -> source.nextChunk(10));
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        }
    }

    @Test
    void ndjsonRefusesACheckpointThatNoLongerFitsTheFile() throws Exception {
        Path file = write("a.ndjson", "{\"a\": 1}\n{\"a\": 2}\n");
        Position inTheMiddleOfALine = new Position(1, new BsonDocument("offset", new BsonInt64(3)).append("line", new BsonInt64(1)));
        SourceException e = assertThrows(SourceException.class, () -> new NdjsonSource(file, inTheMiddleOfALine));
        assertTrue(e.getMessage().contains("changed since the checkpoint"), e.getMessage());
    }

    @Test
    void missingFileIsASourceErrorNamingThePath() {
        Path missing = dir.resolve("nope.ndjson");
        SourceException e = assertThrows(SourceException.class, () -> new NdjsonSource(missing, Position.START));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void jsonArrayStreamsInChunksAndResumesBySkipping() throws Exception {
        List<BsonDocument> docs = documents(50);
        String array = docs.stream().map(BsonDocument::toJson).collect(Collectors.joining(",\n  ", "[\n  ", "\n]\n"));
        Path file = write("a.json", array);
        SourceAssertions.assertStreamsAndResumes(start -> new JsonArraySource(file, start), docs, 4);
        SourceAssertions.assertStreamsAndResumes(start -> Sources.open(new SourceSpec.File(file, SourceSpec.FileFormat.JSON_ARRAY), start, null), docs, 7);
    }

    @Test
    void jsonArrayReadsAHundredThousandDocumentsInChunks() throws Exception {
        Path file = dir.resolve("big.json");
        int n = 100_000;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write('[');
            for (int i = 0; i < n; i++) {
                out.write((i == 0 ? "" : ",") + "{\"_id\":" + i + ",\"name\":\"person " + i + "\",\"tags\":[\"a\",\"b\"],\"n\":{\"$numberLong\":\"" + i + "\"}}\n");
            }
            out.write(']');
        }
        long count = 0;
        try (JsonArraySource source = new JsonArraySource(file, Position.START)) {
            for (List<BsonDocument> chunk = source.nextChunk(1000); !chunk.isEmpty(); chunk = source.nextChunk(1000)) {
                assertEquals(1000, chunk.size());
                for (BsonDocument doc : chunk) {
                    assertEquals(count, doc.getInt32("_id").getValue());
                    assertEquals(count, doc.getInt64("n").getValue());
                    count++;
                }
            }
        }
        assertEquals(n, count);
    }

    @Test
    void aJsonArrayElementOver16MiBIsRejectedWithTheStartOfItsTextAndItsLength() throws Exception {
        String x = "x".repeat(17 << 20);
        String first = "{\"_id\": 1, \"big\": \"" + x + "\"}";
        String third = "{\"_id\": 3, \"big\": [\"" + x + "\"]}";
        Path file = write("huge.json", "[\n  " + first + ",\n  {\"_id\": 2},\n  " + third + "\n]\n");
        try (JsonArraySource source = new JsonArraySource(file, false, Position.START, new BadRecords(true, file.toString()))) {
            Batch b = CsvSourceTest.all(source);
            assertEquals(List.of(BsonDocument.parse("{_id: 2}")), b.documents());
            assertEquals(List.of(1L, 3L), b.rejected().stream().map(Rejected::number).toList());
            assertEquals(first.substring(0, Rejected.MAX_TEXT) + "... (" + first.length() + " characters)",
                    b.rejected().get(0).record().asString().getValue());
            assertEquals(third.substring(0, Rejected.MAX_TEXT) + "... (" + third.length() + " characters)",
                    b.rejected().get(1).record().asString().getValue());
        }
    }

    @Test
    void jsonArrayErrorsSayWhatIsWrong() throws Exception {
        Path notArray = write("obj.json", "{\"a\": 1}");
        try (JsonArraySource source = new JsonArraySource(notArray, Position.START)) {
            SourceException e = assertThrows(SourceException.class, () -> source.nextChunk(5));
            assertTrue(e.getMessage().contains("does not start with a JSON array"), e.getMessage());
        }
        Path scalar = write("scalar.json", "[{\"a\": 1}, 42]");
        try (JsonArraySource source = new JsonArraySource(scalar, Position.START)) {
            SourceException e = assertThrows(SourceException.class, () -> source.nextChunk(5));
            assertTrue(e.getMessage().startsWith("element 2 of the array"), e.getMessage());
        }
        Path broken = write("broken.json", "[{\"a\": 1}, {\"a\": }]");
        try (JsonArraySource source = new JsonArraySource(broken, Position.START)) {
            SourceException e = assertThrows(SourceException.class, () -> source.nextChunk(5));
            assertTrue(e.getMessage().startsWith("element 2 of the array"), e.getMessage());
        }
    }

    @Test
    void inlineStreamsAndResumes() throws Exception {
        List<BsonDocument> docs = documents(30);
        SourceAssertions.assertStreamsAndResumes(start -> new InlineSource(docs, start), docs, 2);
        SourceAssertions.assertStreamsAndResumes(start -> Sources.open(new SourceSpec.Inline(docs), start, null), docs, 4);
        assertThrows(SourceException.class, () -> new InlineSource(docs, new Position(31, null)));
    }
}
