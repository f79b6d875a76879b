package dev.ferry.sync.follow;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import dev.ferry.sync.retry.ErrorClassifier;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.WriteOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;

/**
 * Writes one folded batch of events as ONE unordered {@code bulkWrite}: replace by {@code _id} with
 * upsert, or delete by {@code _id}. Both are idempotent, so a batch written again after a crash (applied,
 * not yet checkpointed) leaves the destination as it was; the keys are distinct, so order does not matter.
 */
public final class EventWriter {
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);

    private final ErrorClassifier classifier;

    public EventWriter(ErrorClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /** What a batch did: the replaces as a chunk write counts them, and the documents deleted. */
    public record Outcome(WriteOutcome writes, long deleted) {
        public static final Outcome NONE = new Outcome(WriteOutcome.NONE, 0);
    }

    /**
     * @throws PermanentWriteException when the server rejected a document for good
     * @throws RuntimeException        driver errors as thrown (classify with {@link ErrorClassifier})
     */
    public Outcome write(MongoCollection<BsonDocument> destination, List<ChangeEvent> folded)
            throws PermanentWriteException {
        List<WriteModel<BsonDocument>> models = new ArrayList<>(folded.size());
        for (ChangeEvent e : folded) {
            BsonDocument byId = new BsonDocument("_id", e.id());
            switch (e.kind()) {
                case UPSERT -> models.add(new ReplaceOneModel<>(byId, e.document(), UPSERT));
                case DELETE -> models.add(new DeleteOneModel<>(byId));
                case SKIP -> { }
            }
        }
        if (models.isEmpty()) {
            return Outcome.NONE;
        }
        BulkWriteResult result;
        try {
            result = destination.bulkWrite(models, UNORDERED);
        } catch (MongoBulkWriteException e) {
            if (classifier.isTransient(e)) {
                throw e;
            }
            throw new PermanentWriteException("a change event was rejected by the destination: "
                    + classifier.describe(e), -1, e);
        }
        if (!result.wasAcknowledged()) {
            throw new PermanentWriteException("the destination's write concern is unacknowledged (w=0), so ferry cannot "
                    + "know a batch was applied; remove w=0 from the connection's uri", -1, null);
        }
        WriteOutcome writes = new WriteOutcome(0, result.getMatchedCount(), result.getModifiedCount(),
                result.getUpserts().size(), 0);
        return new Outcome(writes, result.getDeletedCount());
    }
}
