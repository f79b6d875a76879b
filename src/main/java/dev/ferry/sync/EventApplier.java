package dev.ferry.sync;

import dev.ferry.job.DestinationSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.follow.ChangeEvent;
import dev.ferry.sync.follow.EventWriter;
import dev.ferry.sync.write.Attempt;
import dev.ferry.sync.write.AttemptFailure;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import dev.ferry.sync.write.RetrySubject;
import java.util.List;

/** Applies one follow job's batches of events through a fresh lease per attempt, retrying transient errors. */
final class EventApplier {
    private final PoolManager pools;
    private final EventWriter writer;
    private final DestinationWait destinationWait;
    private final RetryLoop retries;
    private final RunningJob job;
    private final RetrySubject subject;

    EventApplier(PoolManager pools, EventWriter writer, DestinationWait destinationWait, RetryLoop retries,
                 RunningJob job, RetrySubject subject) {
        this.pools = pools;
        this.writer = writer;
        this.destinationWait = destinationWait;
        this.retries = retries;
        this.job = job;
        this.subject = subject;
    }

    Retried<EventWriter.Outcome> apply(List<ChangeEvent> writes, long batchNo) throws JobFailure, InterruptedException {
        try {
            return retries.run(batchNo, subject, new Apply(writes));
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.WRITE_ERROR, "batch " + batchNo + " of change events", batchNo);
        }
    }

    private final class Apply implements Attempt<EventWriter.Outcome> {
        private final List<ChangeEvent> writes;
        private final DestinationSpec destination = job.spec().destination();

        Apply(List<ChangeEvent> writes) {
            this.writes = writes;
        }

        @Override
        public boolean ready() throws InterruptedException {
            return destinationWait.await(job, destination.connection());
        }

        @Override
        public EventWriter.Outcome run() throws PermanentWriteException {
            try (Lease lease = pools.lease(destination.connection())) {
                EventWriter.Outcome outcome = writer.write(
                        lease.collection(destination.database(), destination.collection()), writes);
                job.state(JobState.FOLLOWING);
                return outcome;
            }
        }
    }
}
