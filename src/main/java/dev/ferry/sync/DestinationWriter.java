package dev.ferry.sync;

import dev.ferry.job.DestinationSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.write.Attempt;
import dev.ferry.sync.write.AttemptFailure;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import dev.ferry.sync.write.RetrySubject;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.bson.BsonDocument;

/** Writes one job's chunks through a fresh lease per attempt, retrying transient errors. */
final class DestinationWriter implements ChunkWrites {
    private final PoolManager pools;
    private final ChunkWriter writer;
    private final DestinationWait destinationWait;
    private final RetryLoop retries;
    private final RunningJob job;
    private final RetrySubject subject;

    DestinationWriter(PoolManager pools, ChunkWriter writer, DestinationWait destinationWait, RetryLoop retries,
                      RunningJob job, RetrySubject subject) {
        this.pools = pools;
        this.writer = writer;
        this.destinationWait = destinationWait;
        this.retries = retries;
        this.job = job;
        this.subject = subject;
    }

    @Override
    public Retried<WriteOutcome> write(List<BsonDocument> chunk, long chunkNo) throws JobFailure, InterruptedException {
        try {
            return retries.run(chunkNo, subject, new Write(chunk));
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.WRITE_ERROR, "chunk " + chunkNo, chunkNo);
        }
    }

    private final class Write implements Attempt<WriteOutcome> {
        private final List<BsonDocument> chunk;
        private final DestinationSpec destination = job.spec().destination();

        Write(List<BsonDocument> chunk) {
            this.chunk = chunk;
        }

        @Override
        public boolean ready() throws InterruptedException {
            return destinationWait.await(job, destination.connection());
        }

        @Override
        public WriteOutcome run() throws PermanentWriteException {
            try (Lease lease = pools.lease(destination.connection())) {
                WriteOutcome outcome = writer.write(lease.collection(destination.database(), destination.collection()),
                        chunk, job.spec().mode(), job.spec().key());
                job.state(JobState.RUNNING);
                return outcome;
            }
        }
    }
}
