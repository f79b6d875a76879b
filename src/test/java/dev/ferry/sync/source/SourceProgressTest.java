package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each source says how far it is: files by bytes of their size, inline sources by documents. */
class SourceProgressTest {
    @TempDir
    Path dir;

    @Test
    void ndjsonMeasuresTheBytesConsumedAgainstTheFileSizeAlsoAfterAResume() throws Exception {
        Path file = dir.resolve("ten.ndjson");
        // ten lines of equal length: each is a tenth of the file
        Files.writeString(file, IntStream.range(0, 10).mapToObj(i -> "{\"_id\": " + i + "}\n")
                .collect(Collectors.joining()), StandardCharsets.UTF_8);
        Position afterFour;
        try (NdjsonSource source = new NdjsonSource(file, Position.START)) {
            assertEquals(0.0, source.progress());
            source.nextChunk(4);
            assertEquals(0.4, source.progress(), 1e-9);
            afterFour = source.position();
        }
        try (NdjsonSource resumed = new NdjsonSource(file, afterFour)) {
            assertEquals(0.4, resumed.progress(), 1e-9, "a resume seeks: it is as far as the checkpoint");
            resumed.nextChunk(3);
            assertEquals(0.7, resumed.progress(), 1e-9);
            resumed.nextChunk(100);
            assertEquals(1.0, resumed.progress());
        }
    }

    @Test
    void aJsonArrayCountsTheBytesReadAndIsDoneOnlyAtItsEnd() throws Exception {
        Path file = dir.resolve("big.json");
        // larger than the reader's 256 KiB buffer, so the bytes read trail the file's end for a while
        Files.writeString(file, IntStream.range(0, 40_000).mapToObj(i -> "{\"_id\": " + i + ", \"pad\": \"xxxxxxxxxx\"}")
                .collect(Collectors.joining(",\n", "[", "]")), StandardCharsets.UTF_8);
        try (JsonArraySource source = new JsonArraySource(file, Position.START)) {
            assertEquals(0.0, source.progress());
            source.nextChunk(10_000);
            double quarter = source.progress();
            assertTrue(quarter > 0.2 && quarter < 0.5, "a quarter of the documents read: " + quarter);
            source.nextChunk(29_999);
            assertTrue(source.progress() < 1.0, "one document left: not done");
            source.nextChunk(10);
            assertEquals(1.0, source.progress());
        }
    }

    /** A .gz file is measured in compressed bytes: what the file on disk is. */
    @Test
    void aGzipFileCountsItsCompressedBytesAndIsDoneAtItsEnd() throws Exception {
        Path file = dir.resolve("many.ndjson.gz");
        java.util.Random random = new java.util.Random(7);
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < 200_000; i++) {
                // random text compresses poorly, so the compressed file outgrows the read-ahead buffers
                out.write(("{\"_id\": " + i + ", \"r\": \"" + Long.toHexString(random.nextLong()) + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        try (NdjsonSource source = new NdjsonSource(file, true, Position.START, BadRecords.failing("many"))) {
            source.nextChunk(20_000);
            double early = source.progress();
            assertTrue(early > 0 && early < 0.6, "a tenth of the records read: " + early);
            source.nextChunk(179_999);
            assertTrue(source.progress() < 1.0, "one record left: not done, " + source.progress());
            assertTrue(source.nextChunk(10).size() == 1 && source.nextChunk(10).isEmpty());
            assertEquals(1.0, source.progress());
        }
    }

    @Test
    void inlineCountsDocuments() throws Exception {
        List<BsonDocument> docs = IntStream.range(0, 8).mapToObj(i -> new BsonDocument("_id", new BsonInt32(i))).toList();
        InlineSource source = new InlineSource(docs, new Position(2, null));
        assertEquals(0.25, source.progress());
        source.nextChunk(4);
        assertEquals(0.75, source.progress());
        source.nextChunk(4);
        assertEquals(1.0, source.progress());
        assertEquals(1.0, new InlineSource(List.of(), Position.START).progress(), "nothing to do is done");
    }
}
