package dev.ferry.sync.write;

import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Tells a duplicate key error of the job's own key from one of another unique index. Two unordered
 * upserts of one new key race and one gets a duplicate key error on the key's unique index: that is
 * transient, the retry matches the winner. A duplicate on any other unique index means the document
 * collides with a different one, which no retry changes.
 */
final class DuplicateKeys {
    private static final Pattern INDEX = Pattern.compile("index: (\\S+) dup key");

    private DuplicateKeys() {
    }

    /** What a duplicate key error is about. */
    record Verdict(boolean onTheKey, String index) {
    }

    static Verdict judge(BulkWriteError error, MongoCollection<BsonDocument> collection, List<String> key) {
        BsonDocument details = error.getDetails();
        BsonValue pattern = details == null ? null : details.get("keyPattern");
        Optional<String> name = indexName(error.getMessage());
        if (pattern != null && pattern.isDocument()) {
            return new Verdict(sameFields(pattern.asDocument(), key), name.orElse(pattern.toString()));
        }
        if (name.isEmpty()) {
            // nothing says which index: the old rule, retry, and give up after retry.maxAttempts
            return new Verdict(true, "(unknown)");
        }
        if (name.get().equals("_id_")) {
            return new Verdict(key.equals(List.of("_id")), "_id_");
        }
        return new Verdict(keyOf(collection, name.get()).map(k -> sameFields(k, key)).orElse(true), name.get());
    }

    static Optional<String> indexName(String message) {
        Matcher m = INDEX.matcher(String.valueOf(message));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<BsonDocument> keyOf(MongoCollection<BsonDocument> collection, String index) {
        try (MongoCursor<BsonDocument> indexes = collection.listIndexes(BsonDocument.class).iterator()) {
            while (indexes.hasNext()) {
                BsonDocument spec = indexes.next();
                if (spec.isString("name") && spec.getString("name").getValue().equals(index) && spec.isDocument("key")) {
                    return Optional.of(spec.getDocument("key"));
                }
            }
        } catch (RuntimeException e) {
            // cannot look: treated as the key's own index, so the chunk is retried rather than failed
        }
        return Optional.empty();
    }

    private static boolean sameFields(BsonDocument pattern, List<String> key) {
        Set<String> fields = new HashSet<>(pattern.keySet());
        return fields.equals(new HashSet<>(key));
    }
}
