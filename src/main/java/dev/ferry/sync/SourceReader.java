package dev.ferry.sync;

import dev.ferry.job.IdFrom;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.RecordSource;
import dev.ferry.sync.source.Source;
import dev.ferry.sync.source.SourceException;
import dev.ferry.sync.source.Sources;
import dev.ferry.sync.write.Attempt;
import dev.ferry.sync.write.AttemptFailure;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import dev.ferry.sync.write.RetrySubject;
import com.mongodb.client.model.CountOptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's source, reopened at the last acknowledged position whenever reading fails transiently. A
 * mongodb source holds a lease for its cursor; when its client is retired by a reset or reconnect,
 * the source moves to the new client between two chunks, so that the old one can drain.
 */
final class SourceReader implements ChunkReads {
    private static final Logger log = LoggerFactory.getLogger(SourceReader.class);
    private static final long NOT_COUNTED = -2;
    private static final long UNCOUNTABLE = -1;
    /** A count slower than this is given up: Progress stays unknown rather than delay the job further. */
    private static final long COUNT_LIMIT_SECONDS = 30;

    private final PoolManager pools;
    private final RetryLoop retries;
    private final JobSpec spec;
    private final RetrySubject subject;
    /** Present when the job makes {@code _id}s from positions. */
    private final Optional<PositionIds> ids;
    private Source source;
    private Lease lease;
    /** Matching documents of a mongodb source, counted once per job; {@link #NOT_COUNTED} until then. */
    private long expectedDocuments = NOT_COUNTED;

    SourceReader(PoolManager pools, RetryLoop retries, JobSpec spec, RetrySubject subject) {
        this.pools = pools;
        this.retries = retries;
        this.spec = spec;
        this.subject = subject;
        this.ids = spec.idFrom() == IdFrom.POSITION ? Optional.of(new PositionIds(spec.id())) : Optional.empty();
    }

    @Override
    public Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException {
        try {
            return retries.run(chunkNo, subject, new Read(after));
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.SOURCE_ERROR, spec.source().describe(), chunkNo);
        }
    }

    @Override
    public Optional<Batch> tryNext(Position after, long chunkNo) {
        Read read = new Read(after);
        try {
            return Optional.of(read.run());
        } catch (SourceException | RuntimeException e) {
            log.debug("{}: chunk {} read ahead failed, the job reads it itself: {}", spec.id(), chunkNo, e.toString());
            read.abandon();
            return Optional.empty();
        }
    }

    @Override
    public Position position() {
        return source.position();
    }

    private boolean leaseRetired() {
        return lease != null && lease.generation() != pools.pool(lease.connectionName()).currentGeneration();
    }

    private void reopen(Position position) throws SourceException {
        if (source != null) {
            log.info("{}: moving the source cursor to the new client after a reset", spec.id());
        }
        close();
        if (spec.source() instanceof SourceSpec.Mongo m) {
            lease = pools.lease(m.connection());
            if (expectedDocuments == NOT_COUNTED) {
                expectedDocuments = count(m);
            }
            source = Sources.open(m, position, s -> lease.collection(s.database(), s.collection()));
        } else {
            source = Sources.open(spec.source(), position, null, spec.onInvalid());
        }
    }

    /** Once, before the first chunk; a failure only leaves the job's Progress unknown. */
    private long count(SourceSpec.Mongo m) {
        try {
            long count = lease.collection(m.database(), m.collection()).countDocuments(m.filter(),
                    new CountOptions().maxTime(COUNT_LIMIT_SECONDS, TimeUnit.SECONDS));
            log.info("{}: {} documents match the source filter", spec.id(), count);
            return count;
        } catch (RuntimeException e) {
            log.warn("{}: cannot count the source documents, so its progress stays unknown: {}", spec.id(),
                    e.toString());
            return UNCOUNTABLE;
        }
    }

    /** The source's own fraction; for a mongodb source the documents read against the count. */
    @Override
    public double progress() {
        if (source == null) {
            return Source.UNKNOWN_PROGRESS;
        }
        double own = source.progress();
        if (own >= 0 || expectedDocuments < 0) {
            return own;
        }
        // documents inserted after the count may carry the job past it: it is done only at its end
        return expectedDocuments == 0 ? 1.0
                : Math.min(0.999, (double) source.position().documentsRead() / expectedDocuments);
    }

    @Override
    public void close() {
        try {
            if (source != null) {
                source.close();
            }
        } catch (RuntimeException e) {
            log.debug("{}: closing the source: {}", spec.id(), e.toString());
        } finally {
            source = null;
            if (lease != null) {
                lease.close();
                lease = null;
            }
        }
    }

    private final class Read implements Attempt<Batch> {
        private final Position after;

        Read(Position after) {
            this.after = after;
        }

        @Override
        public Batch run() throws SourceException {
            if (source == null || leaseRetired()) {
                reopen(after);
            }
            Batch batch;
            if (source instanceof RecordSource records) {
                batch = records.nextBatch(spec.chunkSize());
            } else {
                long first = source.position().documentsRead() + 1;
                List<BsonDocument> documents = source.nextChunk(spec.chunkSize());
                batch = new Batch(documents, Origins.consecutive("document", first, documents.size()), List.of(),
                        documents.isEmpty());
            }
            ids.ifPresent(i -> i.assign(batch.documents(), batch.origins()));
            return batch;
        }

        /** A source that failed is reopened at the last acknowledged position on the next try. */
        @Override
        public void abandon() {
            close();
        }
    }
}
