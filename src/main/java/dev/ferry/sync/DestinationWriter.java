package dev.ferry.sync;

import dev.ferry.job.DestinationSpec;
import dev.ferry.job.OnInvalid;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.write.KeyIndex;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.write.Attempt;
import dev.ferry.sync.write.AttemptFailure;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.InsertFirst;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import dev.ferry.sync.write.RetrySubject;
import dev.ferry.sync.write.WriteOutcome;
import java.util.List;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one job's chunks through a fresh lease per attempt, retrying transient errors. */
final class DestinationWriter implements ChunkWrites {
    private static final Logger log = LoggerFactory.getLogger(DestinationWriter.class);
    private final PoolManager pools;
    private final ChunkWriter writer;
    private final DestinationWait destinationWait;
    private final RetryLoop retries;
    private final RunningJob job;
    private final RetrySubject subject;
    private final KeyIndex keyIndex;
    /** Set once per run of the job, when the key's index was looked for before its first chunk. */
    private InsertFirst insertFirst;

    DestinationWriter(PoolManager pools, ChunkWriter writer, KeyIndex keyIndex, DestinationWait destinationWait,
                      RetryLoop retries, RunningJob job, RetrySubject subject) {
        this.pools = pools;
        this.writer = writer;
        this.keyIndex = keyIndex;
        this.destinationWait = destinationWait;
        this.retries = retries;
        this.job = job;
        this.subject = subject;
    }

    @Override
    public Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo)
            throws JobFailure, InterruptedException {
        try {
            return retries.run(chunkNo, subject, new Write(chunk, origins));
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.WRITE_ERROR, "chunk " + chunkNo, chunkNo);
        }
    }

    private final class Write implements Attempt<WriteOutcome> {
        private final List<BsonDocument> chunk;
        private final Origins origins;
        private final DestinationSpec destination = job.spec().destination();

        Write(List<BsonDocument> chunk, Origins origins) {
            this.chunk = chunk;
            this.origins = origins;
        }

        @Override
        public boolean ready() throws InterruptedException {
            return destinationWait.await(job, destination.connection());
        }

        @Override
        public WriteOutcome run() throws PermanentWriteException {
            try (Lease lease = pools.lease(destination.connection())) {
                var collection = lease.collection(destination.database(), destination.collection());
                if (insertFirst == null) {
                    KeyIndex.Ready index = keyIndex.ensure(collection, job.spec().key());
                    index.created().ifPresent(name -> log.info(
                            "{}: created {}index {} on the key {} of {}, so that writing by key does not scan the collection",
                            job.id(), index.unique() ? "unique " : "", name, job.spec().key(), destination.describe()));
                    insertFirst = new InsertFirst(job.spec().mode(), job.spec().key(), index.unique());
                }
                WriteOutcome outcome = writer.write(collection, chunk, origins, job.spec().mode(), job.spec().key(),
                        job.spec().onInvalid() == OnInvalid.SKIP, insertFirst.next());
                insertFirst.saw(chunk.size(), outcome);
                job.state(JobState.RUNNING);
                return outcome;
            }
        }
    }
}
