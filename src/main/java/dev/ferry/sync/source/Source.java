package dev.ferry.sync.source;

import java.util.List;
import org.bson.BsonDocument;

/**
 * Streams a job's documents chunk by chunk. Implementations hold at most one chunk in memory, so a
 * source of any size runs in a small heap. Not thread-safe: one job reads it from one thread.
 *
 * <p>Errors: {@link SourceException} is permanent (fix the source). Anything else thrown (e.g. a
 * {@code MongoException} from a source collection) is left to the caller's {@code ErrorClassifier}; after a
 * transient one the caller closes this source and opens a new one at the last checkpointed
 * {@link #position()}.
 */
public interface Source extends AutoCloseable {

    /**
     * The next up to {@code max} documents, in source order; an empty list means the source is exhausted.
     *
     * @param max at least 1
     */
    List<BsonDocument> nextChunk(int max) throws SourceException;

    /** The position after the last chunk returned (the start position before the first call). */
    Position position();

    /** Releases files or cursors; never throws, idempotent. */
    @Override
    void close();
}
