package dev.ferry.sync.follow;

import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;

/**
 * Where a change stream (re)opens: after a resume token, or at an operation time when the server has
 * given no token yet (a server without {@code postBatchResumeToken} has none before its first event).
 * Exactly one of the two is set.
 */
public record StreamPoint(BsonDocument resumeToken, BsonTimestamp operationTime) {

    public StreamPoint {
        if ((resumeToken == null) == (operationTime == null)) {
            throw new IllegalArgumentException("a stream point is a resume token or an operation time, not both or none");
        }
        resumeToken = resumeToken == null ? null : resumeToken.clone();
    }

    public static StreamPoint after(BsonDocument resumeToken) {
        return new StreamPoint(Objects.requireNonNull(resumeToken, "resumeToken"), null);
    }

    public static StreamPoint at(BsonTimestamp operationTime) {
        return new StreamPoint(null, Objects.requireNonNull(operationTime, "operationTime"));
    }

    public boolean isToken() {
        return resumeToken != null;
    }

    public BsonDocument toDocument() {
        return isToken() ? new BsonDocument("resumeAfter", resumeToken.clone())
                : new BsonDocument("startAtOperationTime", operationTime);
    }

    public static StreamPoint fromDocument(BsonDocument d) {
        if (d.containsKey("resumeAfter")) {
            return after(d.getDocument("resumeAfter"));
        }
        return at(d.getTimestamp("startAtOperationTime"));
    }

    /** For log lines: the token or the time, nothing secret. */
    public String describe() {
        return isToken() ? "resume token " + resumeToken.toJson()
                : "operation time " + operationTime.getTime() + "." + operationTime.getInc();
    }
}
