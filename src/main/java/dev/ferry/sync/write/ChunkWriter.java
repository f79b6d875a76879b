package dev.ferry.sync.write;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import dev.ferry.job.WriteMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Writes one chunk as ONE unordered {@code bulkWrite}, idempotent by key so that a chunk written
 * again after a crash (written, not yet checkpointed) leaves the collection as it was:
 * <ul>
 * <li>{@code upsert}: replace by key, upsert;</li>
 * <li>{@code merge}: {@code $set} the document's fields except {@code _id} by key, upsert;
 *     {@code $setOnInsert} the {@code _id} when the key does not include it;</li>
 * <li>{@code insert}: {@code $setOnInsert} the whole document by key, upsert: an existing key is
 *     matched and left alone (skipped), a new one inserted. Unlike {@code insertMany} this needs no
 *     unique index on the key and raises no duplicate-key errors on resume.</li>
 * </ul>
 * Several documents with the same key in one chunk would race as unordered upserts (duplicate key
 * error or two documents), so they are folded first with the result of writing them in order:
 * upsert keeps the last, insert the first, merge combines their fields (later values win).
 * A key may be a dotted path ({@code a.b}).
 */
public final class ChunkWriter {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final ReplaceOptions REPLACE_UPSERT = new ReplaceOptions().upsert(true);
    private static final UpdateOptions UPDATE_UPSERT = new UpdateOptions().upsert(true);

    private final ErrorClassifier classifier;

    public ChunkWriter(ErrorClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /**
     * @throws PermanentWriteException before anything is written when a document lacks a key field;
     *                                 after the write when the server rejected a document permanently
     * @throws RuntimeException        driver errors as thrown (classify with {@link ErrorClassifier})
     */
    public WriteOutcome write(MongoCollection<BsonDocument> collection, List<BsonDocument> documents, WriteMode mode,
                              List<String> key) throws PermanentWriteException {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(mode, "mode");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must name at least one field");
        }
        if (documents.isEmpty()) {
            return WriteOutcome.NONE;
        }
        List<BsonDocument> filters = keyFilters(documents, key);

        // key filter -> index into documents of the document that will be written for it
        Map<BsonDocument, Integer> chosen = new LinkedHashMap<>(documents.size() * 2);
        Map<BsonDocument, BsonDocument> merged = mode == WriteMode.MERGE ? new LinkedHashMap<>() : Map.of();
        int dropped = 0;
        for (int i = 0; i < documents.size(); i++) {
            BsonDocument filter = filters.get(i);
            Integer earlier = chosen.get(filter);
            if (earlier == null) {
                chosen.put(filter, i);
                continue;
            }
            dropped++;
            if (mode == WriteMode.UPSERT) {
                chosen.put(filter, i);
            } else if (mode == WriteMode.MERGE) {
                BsonDocument fold = merged.computeIfAbsent(filter, f -> documents.get(earlier).clone());
                documents.get(i).forEach((name, value) -> {
                    if (!name.equals("_id") || !fold.containsKey("_id")) {
                        fold.put(name, value);
                    }
                });
            }
        }

        List<WriteModel<BsonDocument>> models = new ArrayList<>(chosen.size());
        int[] chunkIndex = new int[chosen.size()];
        for (Map.Entry<BsonDocument, Integer> entry : chosen.entrySet()) {
            BsonDocument filter = entry.getKey();
            BsonDocument document = documents.get(entry.getValue());
            chunkIndex[models.size()] = entry.getValue();
            switch (mode) {
                case UPSERT:
                    models.add(new ReplaceOneModel<>(filter, document, REPLACE_UPSERT));
                    break;
                case MERGE:
                    models.add(new UpdateOneModel<>(filter, mergeUpdate(merged.getOrDefault(filter, document), key), UPDATE_UPSERT));
                    break;
                case INSERT:
                    models.add(new UpdateOneModel<>(filter, new BsonDocument("$setOnInsert", document), UPDATE_UPSERT));
                    break;
                default:
                    throw new IllegalArgumentException("unknown mode " + mode);
            }
        }

        BulkWriteResult result;
        try {
            result = collection.bulkWrite(models, UNORDERED);
        } catch (MongoBulkWriteException e) {
            if (classifier.isTransient(e)) {
                throw e;
            }
            throw rejected(e, chunkIndex);
        }
        if (!result.wasAcknowledged()) {
            throw new PermanentWriteException("the destination's write concern is unacknowledged (w=0), so ferry cannot know a "
                    + "chunk was written; remove w=0 from the connection's uri", -1, null);
        }
        long upserts = result.getUpserts().size();
        if (mode == WriteMode.INSERT) {
            return new WriteOutcome(upserts, 0, 0, 0, result.getMatchedCount() + dropped);
        }
        return new WriteOutcome(0, result.getMatchedCount() + dropped, result.getModifiedCount(), upserts, 0);
    }

    private static BsonDocument mergeUpdate(BsonDocument document, List<String> key) {
        BsonDocument set = new BsonDocument();
        document.forEach((name, value) -> {
            if (!name.equals("_id")) {
                set.put(name, value);
            }
        });
        BsonDocument update = new BsonDocument();
        if (!set.isEmpty()) {
            update.put("$set", set);
        }
        BsonValue id = document.get("_id");
        if (id != null && (!key.contains("_id") || set.isEmpty())) {
            // with _id in the key the filter already gives a new document its _id; an empty update is an error
            update.put("$setOnInsert", new BsonDocument("_id", id));
        }
        return update;
    }

    /** The key filter of every document, checking them all before anything is written. */
    private static List<BsonDocument> keyFilters(List<BsonDocument> documents, List<String> key) throws PermanentWriteException {
        List<BsonDocument> filters = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            BsonDocument document = documents.get(i);
            BsonDocument filter = new BsonDocument();
            for (String field : key) {
                BsonValue value = lookup(document, field);
                if (value == null) {
                    throw new PermanentWriteException("document " + (i + 1) + " of the chunk has no key field \"" + field
                            + "\" (key " + key + "); add the field to the source document or change the job's key", i, null);
                }
                filter.put(field, value);
            }
            filters.add(filter);
        }
        return filters;
    }

    static BsonValue lookup(BsonDocument document, String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return document.get(path);
        }
        BsonValue head = document.get(path.substring(0, dot));
        return head != null && head.isDocument() ? lookup(head.asDocument(), path.substring(dot + 1)) : null;
    }

    private PermanentWriteException rejected(MongoBulkWriteException e, int[] chunkIndex) {
        int index = -1;
        if (!e.getWriteErrors().isEmpty()) {
            BulkWriteError first = e.getWriteErrors().get(0);
            int model = first.getIndex();
            index = model >= 0 && model < chunkIndex.length ? chunkIndex[model] : -1;
        }
        return new PermanentWriteException(classifier.describe(e, chunkIndex), index, e);
    }
}
