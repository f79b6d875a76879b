package dev.ferry.daemon;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.bson.Document;

/**
 * An ndjson source file and what a user compares after a sync: the destination's count, its distinct
 * keys, and a SHA-256 over the documents in _id order as canonical JSON, equal to the same digest of
 * the source file's documents when nothing was lost, duplicated or altered.
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

    String sourceDigest() throws IOException {
        List<Document> docs = new ArrayList<>(size);
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.filter(l -> !l.isBlank()).forEach(l -> docs.add(Document.parse(l)));
        }
        docs.sort(Comparator.comparingInt(d -> d.getInteger("_id")));
        return digest(docs);
    }

    /** Count, distinct _id count and digest of the destination collection, read with one sorted cursor. */
    static Destination destination(String uri, String collection) {
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<Document> c = client.getDatabase(DATABASE).getCollection(collection);
            long count = c.countDocuments();
            long distinct = 0;
            for (Object ignored : c.distinct("_id", org.bson.BsonValue.class)) {
                distinct++;
            }
            List<Document> docs = c.find().sort(new Document("_id", 1)).into(new ArrayList<>());
            return new Destination(count, distinct, digest(docs));
        }
    }

    static long count(String uri, String collection) {
        try (MongoClient client = MongoClients.create(uri)) {
            return client.getDatabase(DATABASE).getCollection(collection).countDocuments();
        }
    }

    private static String digest(List<Document> docs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Document d : docs) {
                sha.update(d.toJson().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Destination(long count, long distinctIds, String digest) {
    }
}
