package dev.ferry.sync.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A stretch of the {@code _id} order, in MongoDB's cross-type order, that a mongodb source's read
 * covered: what a comparison looks up on the other side (docs/jobs.md, "Verify"), so that a document
 * there with no counterpart read here shows up as {@code extra} without a second pass. Read off the
 * positions a {@link MongoSource} or {@link MongoRanges} gives, the only place that knows their tokens.
 *
 * @param from the lower bound, or null for the first {@code _id} of all
 * @param to   the upper bound, or null for none
 */
public record IdInterval(BsonValue from, boolean fromInclusive, BsonValue to, boolean toInclusive) {

    /** The filter on {@code _id} that finds this stretch. */
    public BsonDocument filter() {
        return IdOrder.range(from, fromInclusive, to, toInclusive);
    }

    /**
     * The {@code _id}s the chunk read between two positions of one mongodb source covers: after the
     * last {@code _id} read before it in its range (or from the range's start) up to its own last one.
     * Empty when the chunk read nothing.
     */
    public static Optional<IdInterval> between(Position before, Position after) {
        BsonValue token = after.resumeToken();
        if (token == null) {
            return Optional.empty();
        }
        if (!MongoRanges.isRanges(after)) {
            return Optional.of(new IdInterval(before.resumeToken(), false, token, true));
        }
        List<BsonDocument> was = MongoRanges.isRanges(before) ? ranges(before) : List.of();
        List<BsonDocument> now = ranges(after);
        for (int i = 0; i < now.size(); i++) {
            BsonValue last = now.get(i).get("last");
            BsonValue lastBefore = i < was.size() ? was.get(i).get("last") : null;
            if (last != null && !last.equals(lastBefore)) {
                return Optional.of(lastBefore != null ? new IdInterval(lastBefore, false, last, true)
                        : new IdInterval(now.get(i).get("min"), true, last, true));
            }
        }
        return Optional.empty();
    }

    /** The {@code _id}s a mongodb source that read to its end at {@code end} never reached: after each range's last. */
    public static List<IdInterval> beyond(Position end) {
        if (!MongoRanges.isRanges(end)) {
            return List.of(new IdInterval(end.resumeToken(), false, null, false));
        }
        List<IdInterval> rest = new ArrayList<>();
        for (BsonDocument range : ranges(end)) {
            BsonValue last = range.get("last");
            rest.add(last != null ? new IdInterval(last, false, range.get("max"), false)
                    : new IdInterval(range.get("min"), true, range.get("max"), false));
        }
        return rest;
    }

    private static List<BsonDocument> ranges(Position position) {
        List<BsonDocument> ranges = new ArrayList<>();
        position.resumeToken().asDocument().getArray(MongoRanges.TOKEN).forEach(v -> ranges.add(v.asDocument()));
        return ranges;
    }
}
