package dev.ferry.sync.write;

import dev.ferry.sync.retry.ErrorClassifier;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import dev.ferry.job.WriteMode;
import dev.ferry.sync.source.Origins;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.BsonValue;

/**
 * Writes one chunk as one unordered {@code bulkWrite} (two at most, below), idempotent by key so that a chunk written
 * again after a crash (written, not yet checkpointed) leaves the collection as it was:
 * <ul>
 * <li>{@code upsert}: replace by key, upsert;</li>
 * <li>{@code merge}: {@code $set} the document's fields except {@code _id} by key, upsert;
 *     {@code $setOnInsert} the {@code _id} when the key does not include it;</li>
 * <li>{@code insert}: {@code $setOnInsert} the whole document by key, upsert: an existing key is
 *     matched and left alone (skipped), a new one inserted. Unlike {@code insertMany} this needs no
 *     unique index on the key and raises no duplicate-key errors on resume.</li>
 * </ul>
 * With a unique key ({@code _id}, or a unique index on exactly the key), {@code upsert} and
 * {@code insert} chunks may go as plain inserts first: the documents refused as duplicates are written
 * again by key in a second bulk write, with the same result and counts as the writes above. Which is tried is the caller's choice ({@link InsertFirst}).
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
        return write(collection, documents, Origins.ofChunk(documents.size()), mode, key, false);
    }

    /** As {@link #write(MongoCollection, List, Origins, WriteMode, List, boolean, boolean)}, never inserting first. */
    public WriteOutcome write(MongoCollection<BsonDocument> collection, List<BsonDocument> documents, Origins origins,
                              WriteMode mode, List<String> key, boolean keepGoing) throws PermanentWriteException {
        return write(collection, documents, origins, mode, key, keepGoing, false);
    }

    /**
     * As {@link #write(MongoCollection, List, WriteMode, List)}, naming documents by {@code origins}.
     *
     * @param keepGoing   with true, documents refused for good are returned as {@link WriteOutcome#rejected()}
     *                    and the others are written; with false the first one fails the chunk
     * @param insertFirst the key has a unique index on exactly its fields ({@code _id} has): in {@code insert}
     *                    and {@code upsert} mode the documents are sent as plain inserts, which servers run
     *                    faster than upserts; a document refused as a duplicate is written again by key in a
     *                    second write, which then decides (see {@code insertFirst} below).
     *                    Under a key other than {@code _id} only a chunk of documents without {@code _id} is
     *                    inserted first (each insert gets a new ObjectId, which the replace leaves out so
     *                    the stored document keeps its own). See {@link InsertFirst}.
     */
    public WriteOutcome write(MongoCollection<BsonDocument> collection, List<BsonDocument> documents, Origins origins,
                              WriteMode mode, List<String> key, boolean keepGoing, boolean insertFirst)
            throws PermanentWriteException {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(mode, "mode");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must name at least one field");
        }
        if (documents.isEmpty()) {
            return WriteOutcome.NONE;
        }
        List<Rejection> refused = new ArrayList<>();
        List<BsonDocument> filters = keyFilters(documents, key, mode, origins, keepGoing, refused);

        // key filter -> index into documents of the document that will be written for it
        Map<BsonDocument, Integer> chosen = new LinkedHashMap<>(documents.size() * 2);
        Map<BsonDocument, BsonDocument> merged = mode == WriteMode.MERGE ? new LinkedHashMap<>() : Map.of();
        int dropped = 0;
        for (int i = 0; i < documents.size(); i++) {
            BsonDocument filter = filters.get(i);
            if (filter == null) {
                continue;
            }
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
        if (chosen.isEmpty()) {
            return outcome(mode, 0, 0, 0, dropped, refused);
        }
        if (mode == WriteMode.DELETE) {
            // every document with the key: a rerun after a crash deletes nothing more (docs/jobs.md, "Fields")
            List<WriteModel<BsonDocument>> deletes = new ArrayList<>(chosen.size());
            int[] chunkIndex = new int[chosen.size()];
            for (Map.Entry<BsonDocument, Integer> entry : chosen.entrySet()) {
                chunkIndex[deletes.size()] = entry.getValue();
                deletes.add(byKey(mode, entry.getKey(), documents.get(entry.getValue()), key));
            }
            BulkWriteResult result = upserts(collection, deletes, chunkIndex, origins, key, keepGoing, refused);
            refused.sort(java.util.Comparator.comparingInt(Rejection::index));
            return new WriteOutcome(0, 0, 0, 0, dropped, refused, result.getDeletedCount());
        }
        if (insertFirst && mode != WriteMode.MERGE && (key.equals(List.of("_id")) || noIds(chosen.values(), documents))) {
            return insertFirst(collection, documents, filters, origins, mode, key, keepGoing, chosen.values(), dropped,
                    refused);
        }

        List<WriteModel<BsonDocument>> models = new ArrayList<>(chosen.size());
        int[] chunkIndex = new int[chosen.size()];
        for (Map.Entry<BsonDocument, Integer> entry : chosen.entrySet()) {
            BsonDocument filter = entry.getKey();
            chunkIndex[models.size()] = entry.getValue();
            models.add(byKey(mode, filter, merged.getOrDefault(filter, documents.get(entry.getValue())), key));
        }
        BulkWriteResult result = upserts(collection, models, chunkIndex, origins, key, keepGoing, refused);
        return outcome(mode, result.getUpserts().size(), result.getMatchedCount(), result.getModifiedCount(), dropped, refused);
    }

    /** The idempotent write of one document by its key filter, as the mode says (see the class comment). */
    private static WriteModel<BsonDocument> byKey(WriteMode mode, BsonDocument filter, BsonDocument document,
                                                  List<String> key) {
        return switch (mode) {
            case UPSERT -> new ReplaceOneModel<>(filter, document, REPLACE_UPSERT);
            case MERGE -> new UpdateOneModel<>(filter, mergeUpdate(document, key), UPDATE_UPSERT);
            case INSERT -> new UpdateOneModel<>(filter, new BsonDocument("$setOnInsert", document), UPDATE_UPSERT);
            case VERIFY -> throw new IllegalArgumentException("a verify job writes nothing");
            case DELETE -> new DeleteManyModel<>(filter);
        };
    }

    /** Writes idempotent upserts by key; a duplicate on the key is two upserts of a new key racing, so it is retried. */
    private BulkWriteResult upserts(MongoCollection<BsonDocument> collection, List<WriteModel<BsonDocument>> models,
                                    int[] chunkIndex, Origins origins, List<String> key, boolean keepGoing,
                                    List<Rejection> refused) throws PermanentWriteException {
        try {
            return acknowledged(collection.bulkWrite(models, UNORDERED));
        } catch (MongoBulkWriteException e) {
            BulkErrors errors = BulkErrors.of(e, classifier, collection, key, chunkIndex, origins);
            if (errors.retry() || errors.anyOnTheKey() || errors.refused().isEmpty()) {
                throw e;
            }
            refuse(errors.refused(), keepGoing, refused, e);
            return acknowledged(e.getWriteResult());
        }
    }

    /**
     * Inserts the chosen documents; those the server refused as duplicates (of the key, or of another
     * unique index, which the insert may hit first) are written again by key, as they would have been
     * without inserting first: replaced ({@code upsert}) or left alone if they exist ({@code insert}).
     * That write decides what is refused. Counted as the writes by key would have been: an insert is an
     * upsert that created its document.
     */
    private WriteOutcome insertFirst(MongoCollection<BsonDocument> collection, List<BsonDocument> documents,
                                     List<BsonDocument> filters, Origins origins, WriteMode mode, List<String> key,
                                     boolean keepGoing, Collection<Integer> chosen, int dropped, List<Rejection> refused)
            throws PermanentWriteException {
        List<WriteModel<BsonDocument>> inserts = new ArrayList<>(chosen.size());
        int[] chunkIndex = new int[chosen.size()];
        for (int index : chosen) {
            chunkIndex[inserts.size()] = index;
            inserts.add(new InsertOneModel<>(withId(documents.get(index))));
        }
        long inserted;
        List<Integer> again = List.of();
        try {
            inserted = acknowledged(collection.bulkWrite(inserts, UNORDERED)).getInsertedCount();
        } catch (MongoBulkWriteException e) {
            BulkErrors errors = BulkErrors.of(e, classifier, collection, key, chunkIndex, origins);
            if (errors.retry()) {
                throw e;
            }
            refuse(errors.refusedNotDuplicates(), keepGoing, refused, e);
            acknowledged(e.getWriteResult());
            // unordered: every insert without an error went in (not every server counts them right in n)
            inserted = inserts.size() - e.getWriteErrors().size();
            again = errors.duplicates();
        }
        if (again.isEmpty()) {
            return outcome(mode, inserted, 0, 0, dropped, refused);
        }
        List<WriteModel<BsonDocument>> byKey = new ArrayList<>(again.size());
        int[] byKeyIndex = new int[again.size()];
        for (int index : again) {
            byKeyIndex[byKey.size()] = index;
            byKey.add(byKey(mode, filters.get(index), documents.get(index), key));
        }
        BulkWriteResult result = upserts(collection, byKey, byKeyIndex, origins, key, keepGoing, refused);
        return outcome(mode, inserted + result.getUpserts().size(), result.getMatchedCount(), result.getModifiedCount(),
                dropped, refused);
    }

    private static boolean noIds(Iterable<Integer> indexes, List<BsonDocument> documents) {
        for (int index : indexes) {
            if (documents.get(index).containsKey("_id")) {
                // it may collide on _id with the same document or another, which only the write by key tells
                return false;
            }
        }
        return true;
    }

    /** The document to insert, with a new ObjectId first when it has no _id; the chunk's own stays as read. */
    private static BsonDocument withId(BsonDocument document) {
        if (document.containsKey("_id")) {
            return document;
        }
        BsonDocument copy = new BsonDocument("_id", new BsonObjectId());
        copy.putAll(document);
        return copy;
    }

    private static void refuse(List<Rejection> permanent, boolean keepGoing, List<Rejection> refused,
                               MongoBulkWriteException e) throws PermanentWriteException {
        if (permanent.isEmpty()) {
            return;
        }
        if (!keepGoing) {
            String more = permanent.size() > 1 ? " (and " + (permanent.size() - 1) + " more)" : "";
            throw new PermanentWriteException(permanent.get(0).reason() + more, permanent.get(0).index(), e);
        }
        refused.addAll(permanent);
    }

    private static BulkWriteResult acknowledged(BulkWriteResult result) throws PermanentWriteException {
        if (!result.wasAcknowledged()) {
            throw new PermanentWriteException("the destination's write concern is unacknowledged (w=0), so ferry cannot know a "
                    + "chunk was written; remove w=0 from the connection's uri", -1, null);
        }
        return result;
    }

    private static WriteOutcome outcome(WriteMode mode, long upserts, long matched, long modified, int dropped,
                                        List<Rejection> refused) {
        refused.sort(java.util.Comparator.comparingInt(Rejection::index));
        if (mode == WriteMode.INSERT) {
            return new WriteOutcome(upserts, 0, 0, 0, matched + dropped, refused);
        }
        return new WriteOutcome(0, matched + dropped, modified, upserts, 0, refused);
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

    /**
     * The key filter of every document, checking them all before anything is written; null for a
     * document refused (only when {@code keepGoing}).
     */
    private static List<BsonDocument> keyFilters(List<BsonDocument> documents, List<String> key, WriteMode mode,
                                                 Origins origins, boolean keepGoing, List<Rejection> refused)
            throws PermanentWriteException {
        List<BsonDocument> filters = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            BsonDocument document = documents.get(i);
            BsonDocument filter = new BsonDocument();
            String problem = mode == WriteMode.UPSERT ? dollarField(document) : null;
            if (problem == null) {
                problem = nulField(document, "");
            }
            for (String field : key) {
                BsonValue value = lookup(document, field);
                if (value == null) {
                    problem = "has no key field \"" + field + "\" (key " + key
                            + "); add the field to the source document or change the job's key";
                    break;
                }
                filter.put(field, value);
            }
            if (problem != null) {
                if (!keepGoing) {
                    throw new PermanentWriteException(origins.describe(i) + " " + problem, i, null);
                }
                refused.add(new Rejection(i, origins.describe(i) + " " + problem));
                filter = null;
            }
            filters.add(filter);
        }
        return filters;
    }

    /**
     * The driver refuses a replacement with a top-level field starting with $ by failing the whole
     * chunk, before the server could refuse just that document; so that rule is applied here.
     */
    private static String dollarField(BsonDocument document) {
        for (String name : document.keySet()) {
            if (name.startsWith("$")) {
                return "has a field named \"" + name + "\"; MongoDB does not allow a top-level field name starting with $ "
                        + "in a replaced document: rename it in the source";
            }
        }
        return null;
    }

    /**
     * BSON stores field names as C strings, so the driver cannot encode a name holding a NUL character
     * and fails the whole chunk; JSON may carry one ({@code "a\u0000b"}), so that rule is applied here.
     */
    private static String nulField(BsonDocument document, String path) {
        for (Map.Entry<String, BsonValue> field : document.entrySet()) {
            String name = path + field.getKey();
            if (field.getKey().indexOf('\0') >= 0) {
                String shown = "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"").replace("\0", "\\u0000") + "\"";
                return "has a field name with a NUL character (" + shown + "), which BSON cannot store: rename it in "
                        + "the source";
            }
            String nested = nulFieldIn(field.getValue(), name + ".");
            if (nested != null) {
                return nested;
            }
        }
        return null;
    }

    private static String nulFieldIn(BsonValue value, String path) {
        if (value.isDocument()) {
            return nulField(value.asDocument(), path);
        }
        if (value.isArray()) {
            for (BsonValue element : value.asArray()) {
                String nested = nulFieldIn(element, path);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    public static BsonValue lookup(BsonDocument document, String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return document.get(path);
        }
        BsonValue head = document.get(path.substring(0, dot));
        return head != null && head.isDocument() ? lookup(head.asDocument(), path.substring(dot + 1)) : null;
    }

    /**
     * What names the document a write by {@code key} touches, so that chunks in flight together can be
     * told apart: the key's values, numbers by their value as the server compares them (1, 1L and 1.0
     * are one key); empty when the document lacks a key field (its write makes a new document or is
     * refused, and touches no other chunk's document).
     */
    public static Optional<Object> keyOf(BsonDocument document, List<String> key) {
        if (key.size() == 1) {
            return Optional.ofNullable(lookup(document, key.get(0))).map(ChunkWriter::canonical);
        }
        List<Object> values = new ArrayList<>(key.size());
        for (String field : key) {
            BsonValue v = lookup(document, field);
            if (v == null) {
                return Optional.empty();
            }
            values.add(canonical(v));
        }
        return Optional.of(values);
    }

    /** A single key value as {@link #keyOf} gives it: numbers by their value. */
    public static Object keyValue(BsonValue v) {
        return canonical(v);
    }

    /**
     * Numbers by their exact value, as the server compares them (1, 1L and 1.0 are one key; two int64s
     * above 2^53 that a double could not tell apart are two).
     */
    private static Object canonical(BsonValue v) {
        switch (v.getBsonType()) {
            case INT32: return java.math.BigDecimal.valueOf(v.asInt32().getValue()).stripTrailingZeros();
            case INT64: return java.math.BigDecimal.valueOf(v.asInt64().getValue()).stripTrailingZeros();
            case DOUBLE: {
                double d = v.asDouble().getValue();
                return Double.isFinite(d) ? new java.math.BigDecimal(d).stripTrailingZeros() : v;
            }
            case DECIMAL128: {
                org.bson.types.Decimal128 d = v.asDecimal128().getValue();
                if (!d.isFinite() || d.isNaN()) {
                    return v;
                }
                try {
                    return d.bigDecimalValue().stripTrailingZeros();
                } catch (ArithmeticException negativeZero) {
                    return java.math.BigDecimal.ZERO;
                }
            }
            default: return v;
        }
    }
}
