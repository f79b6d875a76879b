package dev.ferry.sync;

import dev.ferry.sync.source.Origins;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.bson.BsonDocument;

/** Where a job's chunks go (see {@link DestinationWriter}). */
interface ChunkWrites {

    /**
     * @param origins names each document in messages and rejected records
     * @return what the acknowledged write did (with the documents refused, when the job skips them), or stopped
     */
    Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo) throws JobFailure, InterruptedException;
}
