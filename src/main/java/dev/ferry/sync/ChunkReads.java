package dev.ferry.sync;

import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.Retried;
import java.util.List;
import org.bson.BsonDocument;

/** Where a job's chunks come from (see {@link SourceReader}). */
interface ChunkReads extends AutoCloseable {

    /**
     * The next chunk after {@code after}, the last acknowledged position.
     *
     * @return the documents (empty at the end of the source), or stopped
     */
    Retried<List<BsonDocument>> next(Position after, long chunkNo) throws JobFailure, InterruptedException;

    /** The position after the chunk last returned. */
    Position position();

    /** How far the source is after the chunk last returned, 0.0–1.0, or -1 when unknown. */
    default double progress() {
        return -1;
    }

    @Override
    void close();
}
