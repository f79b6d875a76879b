package dev.ferry.sync.source;

import java.util.List;
import org.bson.BsonDocument;

/**
 * A source that reads records it may have to reject, and knows where each came from (the file
 * sources). {@link Position#documentsRead()} counts every record consumed, rejected ones included.
 */
public interface RecordSource extends Source {

    /**
     * Up to {@code max} records: documents plus rejected ones.
     *
     * @throws SourceException for a bad record when the job fails on them, or an unreadable file
     */
    Batch nextBatch(int max) throws SourceException;

    /** The documents of the next batch that has any; rejected records are dropped (for callers that keep none). */
    @Override
    default List<BsonDocument> nextChunk(int max) throws SourceException {
        Batch batch;
        do {
            batch = nextBatch(max);
        } while (batch.documents().isEmpty() && !batch.end());
        return batch.documents();
    }
}
