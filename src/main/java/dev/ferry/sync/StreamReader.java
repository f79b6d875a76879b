package dev.ferry.sync;

import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.follow.ChangeStreamSource;
import dev.ferry.sync.follow.EventBatch;
import dev.ferry.sync.follow.NoChangeStreamsException;
import dev.ferry.sync.follow.ResumeLostException;
import dev.ferry.sync.follow.SourceFilter;
import dev.ferry.sync.follow.StreamEndedException;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.sync.write.Attempt;
import dev.ferry.sync.write.AttemptFailure;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import dev.ferry.sync.write.RetrySubject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follow job's change stream, read through a lease on the source connection. Before every read
 * the lease is checked: after a reset or health reconnect retired its client, the stream is reopened
 * on the new client from the last applied point, so the old client drains within one read. A read
 * that fails transiently is retried on a fresh stream from the same point.
 */
final class StreamReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamReader.class);
    /** Once an event arrived, what arrives within this long more goes into the same batch. */
    static final Duration BATCH_WINDOW = Duration.ofMillis(100);

    private final PoolManager pools;
    private final RetryLoop retries;
    private final DestinationWait waits;
    private final RunningJob job;
    private final RetrySubject subject;
    private final Clock clock;
    private final SourceSpec.Mongo source;
    private final SourceFilter filter;
    private Lease lease;
    private ChangeStreamSource stream;

    StreamReader(PoolManager pools, RetryLoop retries, DestinationWait waits, RunningJob job, RetrySubject subject,
                 Clock clock) {
        this.pools = pools;
        this.retries = retries;
        this.waits = waits;
        this.job = job;
        this.subject = subject;
        this.clock = clock;
        this.source = (SourceSpec.Mongo) job.spec().source();
        this.filter = new SourceFilter(source.filter(), source.projection());
    }

    /** Where a stream opened now starts (see {@link ChangeStreamSource#startPoint}). */
    Retried<StreamPoint> startPoint() throws JobFailure, InterruptedException {
        try {
            return retries.run(0, subject, new SourceAttempt<>() {
                @Override
                public StreamPoint run() throws NoChangeStreamsException {
                    try (Lease l = pools.lease(source.connection())) {
                        return ChangeStreamSource.startPoint(l.collection(source.database(), source.collection()),
                                clock);
                    }
                }
            });
        } catch (AttemptFailure e) {
            throw failure(e, 0);
        }
    }

    /** The events after {@code from} (where a reopened stream starts), or an empty batch when there are none. */
    Retried<PolledBatch> next(StreamPoint from, long batchNo) throws JobFailure, InterruptedException {
        try {
            return retries.run(batchNo, subject, new Poll(from));
        } catch (AttemptFailure e) {
            throw failure(e, batchNo);
        }
    }

    /** The server's token after everything read, which real servers advance while the collection is idle. */
    Optional<BsonDocument> currentToken() {
        return stream == null ? Optional.empty() : stream.currentToken();
    }

    private JobFailure failure(AttemptFailure e, long batchNo) {
        Throwable cause = e.getCause();
        if (cause instanceof ResumeLostException) {
            return new JobFailure(JobFailure.RESUME_LOST, cause.getMessage(), batchNo, e.attempts());
        }
        if (cause instanceof StreamEndedException || cause instanceof NoChangeStreamsException) {
            return new JobFailure(JobFailure.SOURCE_ERROR, source.describe() + ": " + cause.getMessage(), batchNo,
                    e.attempts());
        }
        return JobFailure.of(e, JobFailure.SOURCE_ERROR, source.describe() + " change stream", batchNo);
    }

    private boolean leaseRetired() {
        return lease != null && lease.generation() != pools.pool(lease.connectionName()).currentGeneration();
    }

    private void reopen(StreamPoint from) {
        if (stream != null) {
            log.info("{}: moving the change stream to the new client after a reset, from {}", job.id(), from.describe());
        }
        close();
        lease = pools.lease(source.connection());
        stream = new ChangeStreamSource(lease.collection(source.database(), source.collection()), from,
                job.spec().chunkSize());
    }

    @Override
    public void close() {
        try {
            if (stream != null) {
                stream.close();
            }
        } finally {
            stream = null;
            if (lease != null) {
                lease.close();
                lease = null;
            }
        }
    }

    /** A read of the source: waits while its pool is DOWN; a failed try drops the stream. */
    private abstract class SourceAttempt<T> implements Attempt<T> {
        @Override
        public boolean ready() throws InterruptedException {
            return waits.awaitSource(job, source.connection());
        }

        @Override
        public void abandon() {
            close();
        }
    }

    private final class Poll extends SourceAttempt<PolledBatch> {
        private final StreamPoint from;

        Poll(StreamPoint from) {
            this.from = from;
        }

        @Override
        public PolledBatch run() throws StreamEndedException, ResumeLostException, NoChangeStreamsException {
            if (stream == null || leaseRetired()) {
                reopen(from);
            }
            EventBatch batch = stream.poll(job.spec().chunkSize(), BATCH_WINDOW, clock);
            if (batch.isEmpty()) {
                return new PolledBatch(batch, List.of());
            }
            return new PolledBatch(batch, filter.apply(lease.collection(source.database(), source.collection()),
                    batch.folded()));
        }
    }
}
