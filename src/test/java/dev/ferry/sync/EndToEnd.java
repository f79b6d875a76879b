package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.bson.BsonDocument;
import org.bson.Document;

/** Job builders and outcome checks shared by the end-to-end tests (daemon in the JVM, real spool, real driver). */
final class EndToEnd {
    /** The database of connection {@code dest} in {@link dev.ferry.testing.FerryConf}. */
    static final String DB = "ferrytest";
    static final Duration OUTCOME = Duration.ofSeconds(30);

    private EndToEnd() {
    }

    static Document job(String id, Document source, String collection) {
        Document job = new Document();
        if (id != null) {
            job.append("id", id);
        }
        return job.append("source", source)
                .append("destination", new Document("connection", "dest").append("collection", collection));
    }

    static Document inline(List<?> documents) {
        return new Document("type", "inline").append("documents", documents);
    }

    static Document file(Path path, String format) {
        return new Document("type", "file").append("path", path.toString()).append("format", format);
    }

    static MongoCollection<BsonDocument> collection(MongoClient client, String name) {
        return client.getDatabase(DB).getCollection(name, BsonDocument.class);
    }

    /** Everything in the collection, in {@code _id} order. */
    static List<BsonDocument> contents(MongoClient client, String name) {
        return collection(client, name).find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    /** Writes a data file, gzipped when its name ends in {@code .gz}. */
    static Path data(Path file, byte[] bytes) {
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                ByteArrayOutputStream gz = new ByteArrayOutputStream();
                try (OutputStream out = new GZIPOutputStream(gz)) {
                    out.write(bytes);
                }
                bytes = gz.toByteArray();
            }
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** documentsRead = inserted + matched + upserted + skipped + rejected, whatever the mode. */
    static void assertAddsUp(Document result) {
        assertEquals(number(result, "documentsRead"), number(result, "inserted") + number(result, "matched")
                + number(result, "upserted") + number(result, "skipped") + number(result, "rejected"), result.toJson());
    }

    /** The lines of {@code ID.rejected.ndjson} in a folder of the spool ({@code done/} or {@code failed/}). */
    static List<BsonDocument> rejectedLines(Path folder, String id) {
        List<BsonDocument> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(folder.resolve(id + ".rejected.ndjson"))) {
                lines.add(BsonDocument.parse(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    static void write(Path file, List<String> lines) {
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Expected counters of a result file, in README's order. */
    record Counts(long documentsRead, long inserted, long matched, long modified, long upserted, long skipped,
                  long chunks) {
    }

    /** Checks every field of {@code ID.result.json} (README, "The spool") of a run without retries. */
    static void assertResult(Document result, String id, String source, String destination, String mode, Counts c) {
        assertResult(result, id, source, destination, mode, c, 0);
    }

    static void assertResult(Document result, String id, String source, String destination, String mode, Counts c,
                             long retries) {
        String json = result.toJson();
        assertEquals(List.of("id", "source", "destination", "mode", "documentsRead", "inserted", "matched",
                "modified", "upserted", "skipped", "rejected", "chunks", "retries", "startedAt", "finishedAt", "durationMillis"),
                new ArrayList<>(result.keySet()), json);
        assertEquals(id, result.getString("id"), json);
        assertEquals(source, result.getString("source"), json);
        assertEquals(destination, result.getString("destination"), json);
        assertEquals(mode, result.getString("mode"), json);
        assertEquals(c, new Counts(number(result, "documentsRead"), number(result, "inserted"),
                number(result, "matched"), number(result, "modified"), number(result, "upserted"),
                number(result, "skipped"), number(result, "chunks")), json);
        assertEquals(retries, number(result, "retries"), json);
        assertTimes(result);
    }

    /** startedAt ≤ finishedAt, both ISO instants, durationMillis their difference. */
    static void assertTimes(Document result) {
        Instant started = Instant.parse(result.getString("startedAt"));
        Instant finished = Instant.parse(result.getString("finishedAt"));
        assertTrue(!finished.isBefore(started), result.toJson());
        assertTrue(started.isAfter(Instant.now().minus(Duration.ofMinutes(5))), result.toJson());
        assertEquals(Duration.between(started, finished).toMillis(), number(result, "durationMillis"), result.toJson());
    }

    static long number(Document d, String field) {
        Object v = d.get(field);
        assertNotNull(v, field + " missing in " + d.toJson());
        assertTrue(v instanceof Number, field + " is not a number in " + d.toJson());
        return ((Number) v).longValue();
    }
}
