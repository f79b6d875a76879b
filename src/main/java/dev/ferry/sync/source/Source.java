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

    /** What {@link #progress()} says when a source cannot tell how far it is. */
    double UNKNOWN_PROGRESS = -1;

    /**
     * How far this source has got after the last chunk it returned, from 0.0 to 1.0, or
     * {@link #UNKNOWN_PROGRESS}; read by the job's worker after every acknowledged chunk, it becomes the
     * job's {@code Progress}. The hook for every kind of source: files measure the bytes consumed
     * against the file's size (a compressed file its compressed bytes), inline sources count documents,
     * a mongodb source's fraction comes from the count its job takes once at the start (the default
     * here; see {@code SourceReader}), and a source that follows changes reports 1.0 once following.
     */
    default double progress() {
        return UNKNOWN_PROGRESS;
    }

    /** Releases files or cursors; never throws, idempotent. */
    @Override
    void close();
}
