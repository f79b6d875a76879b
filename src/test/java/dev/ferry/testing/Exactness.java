package dev.ferry.testing;

import com.mongodb.client.MongoCollection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * "The destination equals the source exactly", measured: documents are identified by an integer key
 * field, compared by count and by a SHA-256 over their canonical JSON (fields sorted, {@code _id}
 * left out because the destination assigns its own) in key order, so the hash does not depend on the
 * order in which either side returns them.
 */
public final class Exactness {
    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder()
            .outputMode(JsonMode.RELAXED).build();

    private Exactness() {
    }

    /**
     * @param source every source document, in any order, each with an integer {@code keyField}
     * @param destinations the collections the jobs wrote to, read together as one
     */
    public static Report compare(Iterable<Document> source, String keyField, Iterable<MongoCollection<Document>> destinations) {
        Side src = read(source, keyField);
        Side dst = new Side();
        for (MongoCollection<Document> c : destinations) {
            dst.addAll(c.find(), keyField);
        }
        long lost = src.docs.keySet().stream().filter(k -> !dst.docs.containsKey(k)).count();
        long unexpected = dst.docs.keySet().stream().filter(k -> !src.docs.containsKey(k)).count();
        return new Report(src.total, dst.total, dst.docs.size(), lost, dst.total - dst.docs.size(), unexpected,
                src.hash(), dst.hash());
    }

    private static Side read(Iterable<Document> docs, String keyField) {
        Side s = new Side();
        s.addAll(docs, keyField);
        return s;
    }

    /** What a comparison found; {@link #exact()} is the verdict. */
    public record Report(long sourceCount, long destinationCount, long destinationDistinct, long lost,
                         long duplicated, long unexpected, String sourceHash, String destinationHash) {
        public boolean exact() {
            return lost == 0 && duplicated == 0 && unexpected == 0 && sourceCount == destinationCount
                    && sourceHash.equals(destinationHash);
        }

        /** Fails with the figures unless the destination equals the source exactly. */
        public Report assertExact() {
            if (!exact()) {
                throw new AssertionError("destination differs from source: " + this);
            }
            return this;
        }
    }

    private static final class Side {
        // key -> canonical JSON of the last copy seen; duplicates counted through total
        private final Map<Long, String> docs = new TreeMap<>();
        private long total;

        void addAll(Iterable<Document> it, String keyField) {
            for (Document d : it) {
                Object key = d.get(keyField);
                if (!(key instanceof Number n)) {
                    throw new AssertionError("document without an integer " + keyField + ": " + d.toJson());
                }
                total++;
                docs.put(n.longValue(), canonical(d));
            }
        }

        String hash() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (String json : docs.values()) {
                    sha.update(json.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) '\n');
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static String canonical(Document d) {
        Document sorted = new Document();
        new TreeMap<>(d).forEach((k, v) -> {
            if (!k.equals("_id")) {
                sorted.put(k, v instanceof Document inner ? Document.parse(canonical(inner)) : v);
            }
        });
        return sorted.toJson(CANONICAL);
    }
}
