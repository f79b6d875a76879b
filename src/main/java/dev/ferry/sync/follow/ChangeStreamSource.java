package dev.ferry.sync.follow;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoServerException;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;

/**
 * One collection's change stream, opened at a {@link StreamPoint} with {@code fullDocument=updateLookup}
 * on the caller's lease (which must stay open while this is used), read in batches.
 *
 * <p>Errors: {@link ResumeLostException} when the server lost the history for the point,
 * {@link StreamEndedException} when the collection went away, {@link NoChangeStreamsException} from a
 * standalone server; anything else thrown (a
 * {@code MongoException}) is left to the caller's {@code ErrorClassifier}, which reopens from the
 * last applied point after a transient one. The driver itself resumes once after a resumable error.
 */
public final class ChangeStreamSource implements AutoCloseable {
    /** Server codes for "this resume point is gone": ChangeStreamHistoryLost and ChangeStreamFatalError (token not found). */
    static final int HISTORY_LOST = 286;
    static final int TOKEN_NOT_FOUND = 280;
    /** How far before "now" a stream without any token starts; replaying events is harmless, missing one is not. */
    static final Duration CLOCK_MARGIN = Duration.ofSeconds(60);
    static final Duration MAX_AWAIT = Duration.ofMillis(100);

    private final MongoCollection<BsonDocument> collection;
    private final StreamPoint from;
    private final int batchSize;
    private MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor;

    public ChangeStreamSource(MongoCollection<BsonDocument> collection, StreamPoint from, int batchSize) {
        this.collection = Objects.requireNonNull(collection, "collection");
        this.from = Objects.requireNonNull(from, "from");
        this.batchSize = batchSize;
    }

    /**
     * Where a stream opened now starts, taken before a snapshot copy so that every change made during
     * the copy is applied after it: the server's post-batch token when it gives one; else, if an
     * event arrived at once, that event's cluster time; else {@link #CLOCK_MARGIN} before the clock.
     */
    public static StreamPoint startPoint(MongoCollection<BsonDocument> collection, Clock clock)
            throws NoChangeStreamsException {
        try (MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> probe = collection.watch(BsonDocument.class)
                .fullDocument(FullDocument.UPDATE_LOOKUP).maxAwaitTime(MAX_AWAIT.toMillis(), TimeUnit.MILLISECONDS)
                .cursor()) {
            ChangeStreamDocument<BsonDocument> first = probe.tryNext();
            if (first != null && first.getClusterTime() != null) {
                return StreamPoint.at(first.getClusterTime());
            }
            BsonDocument token = probe.getResumeToken();
            if (token != null) {
                return StreamPoint.after(token);
            }
        } catch (MongoServerException e) {
            if (e.getCode() == NoChangeStreamsException.CODE) {
                throw new NoChangeStreamsException(serverWords(e));
            }
            throw e;
        }
        long seconds = clock.instant().minus(CLOCK_MARGIN).getEpochSecond();
        return StreamPoint.at(new BsonTimestamp((int) seconds, 0));
    }

    /**
     * The events available now, up to {@code max}: once one arrived, reading goes on for at most
     * {@code window} or until the stream has nothing more, so a steady stream is applied in batches.
     *
     * @return an empty batch when nothing happened
     */
    public EventBatch poll(int max, Duration window, Clock clock)
            throws StreamEndedException, ResumeLostException, NoChangeStreamsException {
        EventBatch batch = new EventBatch();
        try {
            MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> c = cursor();
            long deadline = 0;
            while (batch.events() < max) {
                ChangeStreamDocument<BsonDocument> next = c.tryNext();
                if (next == null) {
                    break;
                }
                batch.add(ChangeEvent.of(next));
                if (batch.events() == 1) {
                    deadline = clock.millis() + window.toMillis();
                } else if (clock.millis() >= deadline) {
                    break;
                }
            }
        } catch (MongoServerException e) {
            if (e.getCode() == HISTORY_LOST || e.getCode() == TOKEN_NOT_FOUND) {
                throw new ResumeLostException(from, "error " + e.getCode() + ": " + serverWords(e));
            }
            if (e.getCode() == NoChangeStreamsException.CODE) {
                throw new NoChangeStreamsException(serverWords(e));
            }
            throw e;
        }
        return batch;
    }

    /** The server's own words, without the driver's dump of its whole reply. */
    private static String serverWords(MongoServerException e) {
        return e instanceof MongoCommandException c ? c.getErrorMessage() : e.getMessage();
    }

    /** The server's token for "after everything read so far", when it gives one; it advances while idle on real servers. */
    public Optional<BsonDocument> currentToken() {
        return cursor == null ? Optional.empty() : Optional.ofNullable(cursor.getResumeToken());
    }

    private MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor() {
        if (cursor == null) {
            ChangeStreamIterable<BsonDocument> watch = collection.watch(List.of(), BsonDocument.class)
                    .fullDocument(FullDocument.UPDATE_LOOKUP).batchSize(batchSize)
                    .maxAwaitTime(MAX_AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            watch = from.isToken() ? watch.resumeAfter(from.resumeToken())
                    : watch.startAtOperationTime(from.operationTime());
            cursor = watch.cursor();
        }
        return cursor;
    }

    @Override
    public void close() {
        if (cursor != null) {
            try {
                cursor.close();
            } catch (RuntimeException e) {
                // the server reaps an abandoned cursor on its own; a failed killCursors loses nothing
            }
            cursor = null;
        }
    }
}
