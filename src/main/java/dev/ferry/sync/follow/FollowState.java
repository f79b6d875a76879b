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
public record FollowState(Phase phase, StreamPoint point, long eventsApplied, long deleted) {

    /** Where a follow job stands: still copying the collection, or applying its change events. */
    public enum Phase {
        SNAPSHOT,
        FOLLOWING
    }

    public FollowState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(point, "point");
    }

    public static FollowState snapshot(StreamPoint start) {
        return new FollowState(Phase.SNAPSHOT, start, 0, 0);
    }

    public FollowState following() {
        return new FollowState(Phase.FOLLOWING, point, eventsApplied, deleted);
    }

    /** After one more acknowledged batch of {@code events} events that deleted {@code deletedNow} documents. */
    public FollowState applied(StreamPoint next, long events, long deletedNow) {
        return new FollowState(phase, next, eventsApplied + events, deleted + deletedNow);
    }

    /** Where an idle stream has moved to without events (a newer post-batch token): nothing to apply. */
    public FollowState movedTo(StreamPoint next) {
        return new FollowState(phase, next, eventsApplied, deleted);
    }

    public BsonDocument toDocument() {
        return new BsonDocument("phase", new BsonString(phase.name()))
                .append("stream", point.toDocument())
                .append("eventsApplied", new BsonInt64(eventsApplied))
                .append("deleted", new BsonInt64(deleted));
    }

    public static FollowState fromDocument(BsonDocument d) {
        return new FollowState(Phase.valueOf(d.getString("phase").getValue()),
                StreamPoint.fromDocument(d.getDocument("stream")), d.getInt64("eventsApplied").getValue(),
                d.getInt64("deleted").getValue());
    }
}
