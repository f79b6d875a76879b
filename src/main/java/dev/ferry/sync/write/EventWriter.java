package dev.ferry.sync.write;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import dev.ferry.sync.follow.ChangeEvent;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.source.Origins;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;

/**
 * Writes one folded batch of change events as ONE unordered {@code bulkWrite}: replace by {@code _id}
 * with upsert, or delete by {@code _id}. Both are idempotent, so a batch written again after a crash
 * (applied, not yet checkpointed) leaves the destination as it was; the keys are distinct, so order
 * does not matter. A refused document is judged as {@link ChunkWriter} judges one: a duplicate on the
 * {@code _id} is a race worth retrying, a duplicate on another unique index or any other refusal is
 * permanent, and with {@code "onInvalid": "skip"} the document is set aside instead of failing the job.
 */
public final class EventWriter {
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final List<String> ID = List.of("_id");

    private final ErrorClassifier classifier;

    public EventWriter(ErrorClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /**
     * What a batch did: the replaces as a chunk write counts them (with the documents refused, indexed
     * in the batch), and the documents deleted.
     */
    public record Outcome(WriteOutcome writes, long deleted) {
        public static final Outcome NONE = new Outcome(WriteOutcome.NONE, 0);
    }

    /**
     * @param origins   names each event of {@code folded} in messages and rejected records
     * @param keepGoing {@code "onInvalid": "skip"}: refused documents are returned, not thrown
     * @throws PermanentWriteException when the server refused a document for good and the job does not skip
     * @throws RuntimeException        driver errors as thrown (classify with {@link ErrorClassifier})
     */
    public Outcome write(MongoCollection<BsonDocument> destination, List<ChangeEvent> folded, Origins origins,
                         boolean keepGoing) throws PermanentWriteException {
        List<WriteModel<BsonDocument>> models = new ArrayList<>(folded.size());
        int[] eventIndex = new int[folded.size()];
        for (int i = 0; i < folded.size(); i++) {
            ChangeEvent e = folded.get(i);
            BsonDocument byId = new BsonDocument("_id", e.id());
            switch (e.kind()) {
                case UPSERT -> {
                    eventIndex[models.size()] = i;
                    models.add(new ReplaceOneModel<>(byId, e.document(), UPSERT));
                }
                case DELETE -> {
                    eventIndex[models.size()] = i;
                    models.add(new DeleteOneModel<>(byId));
                }
                case SKIP -> { }
            }
        }
        if (models.isEmpty()) {
            return Outcome.NONE;
        }
        BulkWriteResult result;
        List<Rejection> refused = List.of();
        try {
            result = destination.bulkWrite(models, UNORDERED);
        } catch (MongoBulkWriteException e) {
            // a follow job's key is _id by rule: the index is what can change
            BulkErrors errors = BulkErrors.of(e, classifier, destination, ID, eventIndex, origins,
                    "drop or change that unique index, or remove the colliding document from the destination");
            if (errors.retry() || errors.anyOnTheKey() || errors.refused().isEmpty()) {
                throw e;
            }
            if (!keepGoing) {
                String more = errors.refused().size() > 1 ? " (and " + (errors.refused().size() - 1) + " more)" : "";
                throw new PermanentWriteException(errors.refused().get(0).reason() + more,
                        errors.refused().get(0).index(), e);
            }
            refused = errors.refused();
            result = e.getWriteResult();
        }
        if (!result.wasAcknowledged()) {
            throw new PermanentWriteException("the destination's write concern is unacknowledged (w=0), so ferry cannot "
                    + "know a batch was applied; remove w=0 from the connection's uri", -1, null);
        }
        WriteOutcome writes = new WriteOutcome(0, result.getMatchedCount(), result.getModifiedCount(),
                result.getUpserts().size(), 0, refused);
        return new Outcome(writes, result.getDeletedCount());
    }
}
