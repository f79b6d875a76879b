package dev.ferry.sync.follow;

import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A follow job's {@code filter} and {@code projection} applied to change events. Matching an arbitrary
 * query filter needs the server, so the batch's documents are read back from the source with
 * {@code {$and: [filter, {_id: {$in: ids}}]}} and the projection: a key found there is written as
 * found, a key not found (it left the filter, or is gone) is deleted from the destination.
 *
 * <p>That reads the documents' state now rather than at the event, which converges: the batch with a
 * key's last event reads the key after that event, so the key's last write is its final state.
 */
public final class SourceFilter {
    private final BsonDocument filter;
    private final BsonDocument projection;

    /** @param projection null for whole documents; an {@code _id} entry is dropped so that {@code _id} is always kept */
    public SourceFilter(BsonDocument filter, BsonDocument projection) {
        this.filter = filter == null ? new BsonDocument() : filter.clone();
        BsonDocument kept = projection == null ? null : projection.clone();
        if (kept != null) {
            kept.remove("_id");
        }
        this.projection = kept == null || kept.isEmpty() ? null : kept;
    }

    /** True when events can be written as they come: no filter and no projection. */
    public boolean passesAll() {
        return filter.isEmpty() && projection == null;
    }

    public List<ChangeEvent> apply(MongoCollection<BsonDocument> source, List<ChangeEvent> folded) {
        if (passesAll()) {
            return folded;
        }
        BsonArray ids = new BsonArray();
        for (ChangeEvent e : folded) {
            if (e.kind() == ChangeEvent.Kind.UPSERT) {
                ids.add(e.id());
            }
        }
        Map<BsonValue, BsonDocument> current = new HashMap<>();
        if (!ids.isEmpty()) {
            BsonDocument byIds = new BsonDocument("_id", new BsonDocument("$in", ids));
            BsonDocument query = filter.isEmpty() ? byIds
                    : new BsonDocument("$and", new BsonArray(List.of(filter, byIds)));
            FindIterable<BsonDocument> find = source.find(query).batchSize(Math.max(ids.size(), 1));
            if (projection != null) {
                find = find.projection(projection);
            }
            for (BsonDocument d : find) {
                current.put(d.get("_id"), d);
            }
        }
        List<ChangeEvent> out = new ArrayList<>(folded.size());
        for (ChangeEvent e : folded) {
            if (e.kind() != ChangeEvent.Kind.UPSERT) {
                out.add(e);
            } else {
                BsonDocument now = current.get(e.id());
                out.add(now == null ? e.asDelete() : e.withDocument(now));
            }
        }
        return out;
    }
}
