package dev.ferry.sync.write;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonInt32;

/**
 * Makes sure the destination has an index on a job's key when the key is not {@code _id}: every
 * document is written by a query on the key, which without an index scans the collection. The index
 * made is not unique: a unique index would refuse other applications' documents that lack the key.
 */
public final class KeyIndex {

    private final ErrorClassifier classifier;

    public KeyIndex(ErrorClassifier classifier) {
        this.classifier = classifier;
    }

    /**
     * @return the name of the index created, empty when one was there already (or the key is {@code _id})
     * @throws PermanentWriteException when the index cannot be created, saying why
     * @throws RuntimeException        transient driver errors, to be retried
     */
    public Optional<String> ensure(MongoCollection<BsonDocument> collection, List<String> key) throws PermanentWriteException {
        if (key.equals(List.of("_id"))) {
            return Optional.empty();
        }
        try {
            if (exists(collection, key)) {
                return Optional.empty();
            }
            BsonDocument keys = new BsonDocument();
            key.forEach(field -> keys.put(field, new BsonInt32(1)));
            return Optional.of(collection.createIndex(keys));
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

    /** Whether an index starts with the key's fields (in any order), so that it serves a query on the key. */
    private static boolean exists(MongoCollection<BsonDocument> collection, List<String> key) {
        Set<String> wanted = new HashSet<>(key);
        try (MongoCursor<BsonDocument> indexes = collection.listIndexes(BsonDocument.class).iterator()) {
            while (indexes.hasNext()) {
                BsonDocument spec = indexes.next();
                if (!spec.isDocument("key")) {
                    continue;
                }
                List<String> fields = List.copyOf(spec.getDocument("key").keySet());
                if (fields.size() >= key.size() && new HashSet<>(fields.subList(0, key.size())).equals(wanted)) {
                    return true;
                }
            }
        }
        return false;
    }
}
