package dev.ferry.sync;

import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.bson.BsonDocument;

/** Where a job's chunks go (see {@link DestinationWriter}). */
interface ChunkWrites {

    /** @return what the acknowledged write did, or stopped */
    Retried<WriteOutcome> write(List<BsonDocument> chunk, long chunkNo) throws JobFailure, InterruptedException;
}
