package dev.ferry.sync.follow;

import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;

/**
 * What a follow job's checkpoint adds to a copy job's: its phase, where its change stream resumes,
 * and the totals of the events it applied. In {@link Phase#SNAPSHOT} {@code point} is where the
 * stream was opened before the copy began; in {@link Phase#FOLLOWING} it is the token after the last
 * batch the destination acknowledged.
 */
public record FollowState(Phase phase, StreamPoint point, long eventsApplied, long deleted, long resnapshots,
                          boolean cleaning) {

    /** Where a follow job stands: still copying the collection, or applying its change events. */
    public enum Phase {
        SNAPSHOT,
        FOLLOWING
    }

    public FollowState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(point, "point");
    }

    /** Before any resnapshot. */
    public FollowState(Phase phase, StreamPoint point, long eventsApplied, long deleted) {
        this(phase, point, eventsApplied, deleted, 0, false);
    }

    public static FollowState snapshot(StreamPoint start) {
        return new FollowState(Phase.SNAPSHOT, start, 0, 0);
    }

    public FollowState following() {
        return new FollowState(Phase.FOLLOWING, point, eventsApplied, deleted, resnapshots, false);
    }

    /**
     * A fresh snapshot after the resume point was lost, from a new start point: the copy deletes what the
     * source no longer has ({@code cleaning}); the totals go on.
     */
    public FollowState resnapshot(StreamPoint start) {
        return new FollowState(Phase.SNAPSHOT, start, eventsApplied, deleted, resnapshots + 1, true);
    }

    /** After one more acknowledged batch of {@code events} events that deleted {@code deletedNow} documents. */
    public FollowState applied(StreamPoint next, long events, long deletedNow) {
        return new FollowState(phase, next, eventsApplied + events, deleted + deletedNow, resnapshots, cleaning);
    }

    /** Where an idle stream has moved to without events (a newer post-batch token): nothing to apply. */
    public FollowState movedTo(StreamPoint next) {
        return new FollowState(phase, next, eventsApplied, deleted, resnapshots, cleaning);
    }

    public BsonDocument toDocument() {
        return new BsonDocument("phase", new BsonString(phase.name()))
                .append("stream", point.toDocument())
                .append("eventsApplied", new BsonInt64(eventsApplied))
                .append("deleted", new BsonInt64(deleted))
                .append("resnapshots", new BsonInt64(resnapshots))
                .append("cleaning", org.bson.BsonBoolean.valueOf(cleaning));
    }

    public static FollowState fromDocument(BsonDocument d) {
        return new FollowState(Phase.valueOf(d.getString("phase").getValue()),
                StreamPoint.fromDocument(d.getDocument("stream")), d.getInt64("eventsApplied").getValue(),
                d.getInt64("deleted").getValue(), d.isInt64("resnapshots") ? d.getInt64("resnapshots").getValue() : 0,
                d.isBoolean("cleaning") && d.getBoolean("cleaning").getValue());
    }
}
