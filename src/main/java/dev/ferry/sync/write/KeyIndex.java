package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.IndexOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonInt32;

/**
 * Makes sure the destination has an index on a job's key when the key is not {@code _id}: every
 * document is written by a query on the key, which without an index scans the collection.
 *
 * <p>Into an empty collection the index is made unique: the job writes one document per key, and a
 * unique index is what MongoDB asks for under upserts by key (it also lets chunks be inserted first,
 * see {@link InsertFirst}). Into a collection that holds documents already the index is not unique,
 * since other applications' documents may share a key or lack it (docs/jobs.md, "Keys other than `_id`").
 */
public final class KeyIndex {

    private final ErrorClassifier classifier;

    public KeyIndex(ErrorClassifier classifier) {
        this.classifier = classifier;
    }

    /**
     * What {@link #ensure} found or made.
     *
     * @param created the name of the index created, empty when one was there already (or the key is {@code _id})
     * @param unique  whether a unique index covers exactly the key's fields
     */
    public record Ready(Optional<String> created, boolean unique) {
    }

    /**
     * @throws PermanentWriteException when the index cannot be created, saying why
     * @throws RuntimeException        transient driver errors, to be retried
     */
    public Ready ensure(MongoCollection<BsonDocument> collection, List<String> key) throws PermanentWriteException {
        if (key.equals(List.of("_id"))) {
            return new Ready(Optional.empty(), true);
        }
        try {
            Optional<BsonDocument> existing = existing(collection, key);
            if (existing.isPresent()) {
                return new Ready(Optional.empty(), isUniqueOn(existing.get(), key));
            }
            BsonDocument keys = new BsonDocument();
            key.forEach(field -> keys.put(field, new BsonInt32(1)));
            boolean empty = collection.countDocuments(new BsonDocument(), new CountOptions().limit(1)) == 0;
            try {
                return new Ready(Optional.of(collection.createIndex(keys, new IndexOptions().unique(empty))), empty);
            } catch (MongoException raced) {
                // another job made the index meanwhile (85/86: same keys, other options), or documents
                // arrived that share a key (11000): use what is there, else a plain index
                if (raced.getCode() == 85 || raced.getCode() == 86 || raced.getCode() == ErrorClassifier.DUPLICATE_KEY) {
                    Optional<BsonDocument> now = existing(collection, key);
                    if (now.isPresent()) {
                        return new Ready(Optional.empty(), isUniqueOn(now.get(), key));
                    }
                    if (empty && raced.getCode() == ErrorClassifier.DUPLICATE_KEY) {
                        return new Ready(Optional.of(collection.createIndex(keys)), false);
                    }
                }
                throw raced;
            }
        } catch (MongoException e) {
            if (classifier.isTransient(e)) {
                throw e;
            }
            throw new PermanentWriteException("cannot create an index on the job's key " + key + " in "
                    + collection.getNamespace() + ", which writing by key needs so as not to scan the collection for "
                    + "every document: " + classifier.describe(e) + "; create the index yourself or grant the "
                    + "connection's user createIndex", -1, e);
        }
    }

    /** An index that starts with the key's fields (in any order), so that it serves a query on the key. */
    private static Optional<BsonDocument> existing(MongoCollection<BsonDocument> collection, List<String> key) {
        Set<String> wanted = new HashSet<>(key);
        BsonDocument found = null;
        try (MongoCursor<BsonDocument> indexes = collection.listIndexes(BsonDocument.class).iterator()) {
            while (indexes.hasNext()) {
                BsonDocument spec = indexes.next();
                if (!spec.isDocument("key")) {
                    continue;
                }
                List<String> fields = List.copyOf(spec.getDocument("key").keySet());
                if (fields.size() >= key.size() && new HashSet<>(fields.subList(0, key.size())).equals(wanted)
                        && (found == null || isUniqueOn(spec, key))) {
                    found = spec;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private static boolean isUniqueOn(BsonDocument spec, List<String> key) {
        return spec.getBoolean("unique", org.bson.BsonBoolean.FALSE).getValue()
                && !spec.containsKey("partialFilterExpression")
                && spec.getDocument("key").keySet().equals(new HashSet<>(key));
    }
}
