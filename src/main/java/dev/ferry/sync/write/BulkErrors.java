package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import dev.ferry.sync.source.Origins;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;

/**
 * Sorts the errors of one failed bulk write: a duplicate on the job's own key (the document is
 * there already), a transient error (the whole chunk is tried again; writes are idempotent by key),
 * or a document refused for good, named by its place in the source.
 */
final class BulkErrors {
    private final List<Rejection> refused = new ArrayList<>();
    private final List<Rejection> refusedNotDuplicates = new ArrayList<>();
    private final List<Integer> duplicates = new ArrayList<>();
    private boolean retry;
    private boolean anyOnTheKey;

    private BulkErrors() {
    }

    /**
     * @param models the chunk index of each model of the bulk write
     */
    static BulkErrors of(MongoBulkWriteException e, ErrorClassifier classifier, MongoCollection<BsonDocument> collection,
                         List<String> key, int[] models, Origins origins) {
        return of(e, classifier, collection, key, models, origins, "make the job's key match that index, or drop the index");
    }

    /** @param otherIndexRemedy what to do about a duplicate on a unique index that is not the job's key */
    static BulkErrors of(MongoBulkWriteException e, ErrorClassifier classifier, MongoCollection<BsonDocument> collection,
                         List<String> key, int[] models, Origins origins, String otherIndexRemedy) {
        BulkErrors sorted = new BulkErrors();
        if (e.getWriteErrors().isEmpty() || e.getWriteConcernError() != null
                || classifier.isTransient(e) && !anyDuplicateKey(e)) {
            // a write concern error: what was written may not survive a failover, so not one document counts
            sorted.retry = true;
            return sorted;
        }
        // one listIndexes per index named, not per error: a rerun's chunk can hold a thousand duplicates
        Map<String, DuplicateKeys.Verdict> byIndex = new HashMap<>();
        for (BulkWriteError error : e.getWriteErrors()) {
            int model = error.getIndex();
            int index = model >= 0 && model < models.length ? models[model] : -1;
            String why;
            if (error.getCode() == ErrorClassifier.DUPLICATE_KEY) {
                String indexName = DuplicateKeys.indexName(error.getMessage()).orElse(error.getMessage());
                DuplicateKeys.Verdict verdict = error.getDetails() != null && error.getDetails().containsKey("keyPattern")
                        ? DuplicateKeys.judge(error, collection, key)
                        : byIndex.computeIfAbsent(indexName, n -> DuplicateKeys.judge(error, collection, key));
                sorted.duplicates.add(index);
                if (verdict.onTheKey()) {
                    sorted.anyOnTheKey = true;
                    continue;
                }
                why = "duplicate key on unique index " + verdict.index() + ", which is not the job's key " + key + " ("
                        + error.getMessage() + "); " + otherIndexRemedy;
            } else if (ErrorClassifier.TRANSIENT_CODES.contains(error.getCode())) {
                sorted.retry = true;
                continue;
            } else {
                why = "error " + error.getCode() + ": " + error.getMessage() + "; " + ErrorClassifier.remedy(error.getCode());
            }
            Rejection refusal = new Rejection(index, origins.describe(index) + " was rejected by the server: " + why);
            sorted.refused.add(refusal);
            if (error.getCode() != ErrorClassifier.DUPLICATE_KEY) {
                sorted.refusedNotDuplicates.add(refusal);
            }
        }
        return sorted;
    }

    private static boolean anyDuplicateKey(MongoBulkWriteException e) {
        return e.getWriteErrors().stream().anyMatch(w -> w.getCode() == ErrorClassifier.DUPLICATE_KEY);
    }

    /** Whether any error may pass: then the chunk is written again as a whole. */
    boolean retry() {
        return retry;
    }

    /** Whether a document was refused as a duplicate of the job's key: a document that exists already. */
    boolean anyOnTheKey() {
        return anyOnTheKey;
    }

    /** Chunk indexes of documents refused as duplicates on any unique index. */
    List<Integer> duplicates() {
        return duplicates;
    }

    /** Documents refused for good for another reason than a duplicate key, in chunk order. */
    List<Rejection> refusedNotDuplicates() {
        refusedNotDuplicates.sort(java.util.Comparator.comparingInt(Rejection::index));
        return refusedNotDuplicates;
    }

    /** Documents refused for good, in chunk order. */
    List<Rejection> refused() {
        refused.sort(java.util.Comparator.comparingInt(Rejection::index));
        return refused;
    }
}
