package dev.ferry.sync;

import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.Retried;
import java.util.Optional;

/** Where a job's chunks come from (see {@link SourceReader}). */
interface ChunkReads extends AutoCloseable {

    /**
     * The next chunk after {@code after}, the last acknowledged position.
     *
     * @return the documents and rejected records, or stopped
     */
    Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException;

    /**
     * One try at the next chunk after {@code after}, without retrying, backing off or waiting, for
     * reading ahead on another thread; empty when it failed (a source that failed is dropped, so the
     * next {@link #next} reopens it at {@code after} and meets the error, if any, with the job's retries).
     */
    Optional<Batch> tryNext(Position after, long chunkNo);

    /** The position after the chunk last returned. */
    Position position();

    /** How far the source is after the chunk last returned, 0.0–1.0, or -1 when unknown. */
    default double progress() {
        return -1;
    }

    @Override
    void close();
}
