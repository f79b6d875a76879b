package dev.ferry.sync.checkpoint;

import dev.ferry.sync.source.Position;
import java.time.Instant;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Where a job's comparison of source and destination stands (docs/jobs.md, "Verify"): which pass, where
 * that pass's reading is, what it found so far, and how many keys its list holds. Saved in the job's
 * checkpoint after every compared chunk, so that a restarted job continues the comparison there.
 *
 * @param pass      {@link Pass#SOURCE}: source documents looked up in the destination (a mongodb source keyed
 *                  by {@code _id}: the stretches of {@code _id} it read, extras included); {@link Pass#DESTINATION}:
 *                  destination keys looked up in the source (a mongodb source keyed otherwise); {@link Pass#DONE}
 * @param position  where the pass's reading resumes
 * @param compared  source documents compared (pass SOURCE), each once: {@code equal + missing + different}
 * @param listed    lines of the job's verify list
 * @param startedAt when the comparison began (across restarts)
 */
public record VerifyState(Pass pass, Position position, long compared, long equal, long missing, long extra,
                          long different, long listed, Instant startedAt) {

    /** SOURCE, then DESTINATION when the source pass cannot find extras itself; DONE once compared. */
    public enum Pass { SOURCE, DESTINATION, DONE }

    public VerifyState {
        Objects.requireNonNull(pass, "pass");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A comparison about to begin. */
    public static VerifyState start(Instant now) {
        return new VerifyState(Pass.SOURCE, Position.START, 0, 0, 0, 0, 0, 0, now);
    }

    /** Whether source and destination were found equal so far. */
    public boolean equalSoFar() {
        return missing == 0 && extra == 0 && different == 0;
    }

    /** After one more compared chunk of the current pass. */
    public VerifyState plus(Position after, long compared, long equal, long missing, long extra, long different,
                            long listed) {
        return new VerifyState(pass, after, this.compared + compared, this.equal + equal, this.missing + missing,
                this.extra + extra, this.different + different, this.listed + listed, startedAt);
    }

    /** Compared: nothing more to read. */
    public VerifyState done() {
        return new VerifyState(Pass.DONE, position, compared, equal, missing, extra, different, listed, startedAt);
    }

    /** The second pass, from its start. */
    public VerifyState toDestinationPass() {
        return new VerifyState(Pass.DESTINATION, Position.START, compared, equal, missing, extra, different, listed,
                startedAt);
    }

    /** What the result file reports. */
    public BsonDocument report(Instant now) {
        return new BsonDocument("compared", new BsonInt64(compared)).append("equal", new BsonInt64(equal))
                .append("missing", new BsonInt64(missing)).append("extra", new BsonInt64(extra))
                .append("different", new BsonInt64(different))
                .append("seconds", new org.bson.BsonDouble(Math.max(0, now.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0));
    }

    BsonDocument toDocument() {
        BsonDocument d = new BsonDocument("pass", new BsonString(pass.name()))
                .append("documentsRead", new BsonInt64(position.documentsRead()));
        if (position.resumeToken() != null) {
            d.append("resumeToken", position.resumeToken());
        }
        return d.append("compared", new BsonInt64(compared)).append("equal", new BsonInt64(equal))
                .append("missing", new BsonInt64(missing)).append("extra", new BsonInt64(extra))
                .append("different", new BsonInt64(different)).append("listed", new BsonInt64(listed))
                .append("startedAt", new BsonString(startedAt.toString()));
    }

    static VerifyState fromDocument(BsonDocument d) {
        BsonValue token = d.get("resumeToken");
        return new VerifyState(Pass.valueOf(d.getString("pass").getValue()),
                new Position(d.getInt64("documentsRead").getValue(), token), d.getInt64("compared").getValue(),
                d.getInt64("equal").getValue(), d.getInt64("missing").getValue(), d.getInt64("extra").getValue(),
                d.getInt64("different").getValue(), d.getInt64("listed").getValue(),
                Instant.parse(d.getString("startedAt").getValue()));
    }
}
