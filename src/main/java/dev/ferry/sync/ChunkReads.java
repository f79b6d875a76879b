package dev.ferry.sync;

import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.Retried;

/** Where a job's chunks come from (see {@link SourceReader}). */
interface ChunkReads extends AutoCloseable {

    /**
     * The next chunk after {@code after}, the last acknowledged position.
     *
     * @return the documents and rejected records, or stopped
     */
    Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException;

    /** The position after the chunk last returned. */
    Position position();

    @Override
    void close();
}
