package dev.ferry.daemon;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Exactness;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * An ndjson source file for process tests, and its comparison with the destination after a sync.
 */
final class Dataset {
    static final String DATABASE = "ferrytest";

    final Path file;
    final int size;

    private Dataset(Path file, int size) {
        this.file = file;
        this.size = size;
    }

    /** Writes {@code size} documents with integer _id 0..size-1 and a few fields of several types. */
    static Dataset write(Path file, int size) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < size; i++) {
                w.write("{\"_id\": " + i + ", \"name\": \"person-" + i + "\", \"score\": " + (i * 7 % 1000)
                        + ", \"ratio\": " + (i % 97) / 8.0 + ", \"active\": " + (i % 3 == 0)
                        + ", \"tags\": [\"t" + (i % 5) + "\", \"u" + (i % 11) + "\"], \"address\": {\"zip\": \""
                        + String.format("%05d", i % 99_999) + "\", \"n\": " + (i % 13) + "}}\n");
            }
        }
        return new Dataset(file, size);
    }

    /** An upsert job of the whole file into {@code dest.ferrytest.COLLECTION}, chunks of 1000. */
    String upsertJob(String collection) {
        return "{\"source\": {\"type\": \"file\", \"path\": \"" + file + "\", \"format\": \"ndjson\"},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"" + collection + "\"},"
                + " \"mode\": \"upsert\", \"chunkSize\": 1000}";
    }

    /** Source file against destination collection, as {@link Exactness} measures it (key {@code _id}). */
    Exactness.Report compareWith(String uri, String collection) throws IOException {
        List<Document> source = new ArrayList<>(size);
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.filter(l -> !l.isBlank()).forEach(l -> source.add(Document.parse(l)));
        }
        try (MongoClient client = MongoClients.create(uri)) {
            return Exactness.compare(source, "_id", List.of(client.getDatabase(DATABASE).getCollection(collection)));
        }
    }

    static long count(String uri, String collection) {
        try (MongoClient client = MongoClients.create(uri)) {
            return client.getDatabase(DATABASE).getCollection(collection).countDocuments();
        }
    }

}
