package dev.ferry.fault;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import dev.ferry.testing.Exactness;
import dev.ferry.testing.Spooler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.bson.Document;

/**
 * The documents and jobs of the fault scenarios. Every document has a unique integer key {@code k} and no
 * {@code _id}: jobs upsert by {@code ["k"]}, so the destination assigns its own {@code _id} and a document
 * written twice under a broken idempotence would show up as a duplicate key, not vanish into one _id.
 */
final class Workload {
    static final String KEY = "k";
    static final String DATABASE = "ferrytest";

    private final List<long[]> ranges = new ArrayList<>();

    static Document doc(long k) {
        return new Document(KEY, k).append("name", "doc-" + k).append("n", (k * 31) % 9973)
                .append("even", k % 2 == 0).append("tags", List.of("t" + (k % 7), "u" + (k % 3)))
                .append("nested", new Document("a", k % 11).append("b", "x" + (k % 5)));
    }

    /** Writes documents {@code from .. from+count-1} as ndjson and remembers them as source. */
    Path ndjson(Path file, long from, long count) {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (long k = from; k < from + count; k++) {
                w.write(doc(k).toJson());
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ranges.add(new long[] {from, count});
        return file;
    }

    /** Remembers documents written some other way (an inline job) as source. */
    void add(long from, long count) {
        ranges.add(new long[] {from, count});
    }

    long documents() {
        return ranges.stream().mapToLong(r -> r[1]).sum();
    }

    static String fileJob(String id, Path file, String connection, String collection, int chunkSize) {
        return "{\"id\": \"" + id + "\", \"source\": {\"type\": \"file\", \"path\": \"" + file
                + "\", \"format\": \"ndjson\"}, " + destination(connection, collection, chunkSize) + "}";
    }

    String inlineJob(String id, long from, long count, String connection, String collection) {
        add(from, count);
        StringBuilder docs = new StringBuilder();
        for (long k = from; k < from + count; k++) {
            docs.append(k == from ? "" : ", ").append(doc(k).toJson());
        }
        return "{\"id\": \"" + id + "\", \"source\": {\"type\": \"inline\", \"documents\": [" + docs + "]}, "
                + destination(connection, collection, (int) Math.max(1, count)) + "}";
    }

    private static String destination(String connection, String collection, int chunkSize) {
        return "\"destination\": {\"connection\": \"" + connection + "\", \"database\": \"" + DATABASE
                + "\", \"collection\": \"" + collection + "\"}, \"mode\": \"upsert\", \"key\": [\"" + KEY
                + "\"], \"chunkSize\": " + chunkSize;
    }

    /** Every source document, generated again rather than held in memory. */
    Iterable<Document> source() {
        return () -> new Iterator<>() {
            private int range;
            private long next = ranges.isEmpty() ? 0 : ranges.get(0)[0];

            @Override
            public boolean hasNext() {
                while (range < ranges.size() && next >= ranges.get(range)[0] + ranges.get(range)[1]) {
                    range++;
                    next = range < ranges.size() ? ranges.get(range)[0] : 0;
                }
                return range < ranges.size();
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return doc(next++);
            }
        };
    }

    /** Compares the source with the named collections of the destination at {@code uri}. */
    Exactness.Report compare(String uri, List<String> collections) {
        try (MongoClient client = MongoClients.create(uri)) {
            List<MongoCollection<Document>> dest = collections.stream()
                    .map(c -> client.getDatabase(DATABASE).getCollection(c)).toList();
            return Exactness.compare(source(), KEY, dest);
        }
    }

    /**
     * Gives each destination collection the unique index on {@code k} that an upsert key needs: without it
     * every upsert scans the collection. A write that duplicated a key would then fail its job loudly, and the
     * comparison counts duplicates besides, for destinations without the index.
     */
    static void indexKeys(String uri, List<String> collections) {
        try (MongoClient client = MongoClients.create(uri)) {
            for (String c : collections) {
                client.getDatabase(DATABASE).getCollection(c).createIndex(new Document(KEY, 1),
                        new IndexOptions().unique(true));
            }
        }
    }

    /** Sum of the {@code retries} of the results of {@code ids} in done/. */
    static long retries(Spooler spool, List<String> ids) {
        long sum = 0;
        for (String id : ids) {
            sum += ((Number) spool.awaitDone(id, Duration.ofSeconds(1)).get("retries")).longValue();
        }
        return sum;
    }
}
