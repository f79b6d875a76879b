package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolClosedException;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.Source;
import dev.ferry.sync.source.SourceException;
import dev.ferry.sync.source.Sources;
import java.util.List;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's source, reopened at the last acknowledged position whenever reading fails transiently. A
 * mongodb source holds a lease for its cursor; when its client is retired by a reset or reconnect,
 * the source moves to the new client between two chunks, so that the old one can drain.
 */
final class SourceHandle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceHandle.class);

    private final SyncContext ctx;
    private final JobSpec spec;
    private final Retrier retrier;
    private Source source;
    private Lease lease;

    SourceHandle(SyncContext ctx, JobSpec spec, Retrier retrier) {
        this.ctx = ctx;
        this.spec = spec;
        this.retrier = retrier;
    }

    /**
     * The next chunk after {@code position} (the last acknowledged one).
     *
     * @return the documents, empty at the end, or null if the job must stop
     */
    List<BsonDocument> nextChunk(Position position, RunningJob job, long chunkNo)
            throws JobFailure, InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                if (source == null || leaseRetired()) {
                    reopen(position);
                }
                return source.nextChunk(spec.chunkSize());
            } catch (SourceException e) {
                throw new JobFailure(JobFailure.SOURCE_ERROR, spec.source().describe() + ": "
                        + retrier.scrub(e.getMessage()), chunkNo, attempt + 1);
            } catch (PoolClosedException e) {
                return null;
            } catch (RuntimeException e) {
                close();
                if (ctx.gate().isStopping()) {
                    return null;
                }
                if (!ctx.classifier().isTransient(e)) {
                    throw new JobFailure(JobFailure.SOURCE_ERROR, spec.source().describe() + ": "
                            + retrier.scrub(ctx.classifier().describe(e)), chunkNo, attempt + 1);
                }
                attempt++;
                if (!retrier.retryAfter(job, e, chunkNo, attempt)) {
                    return null;
                }
            }
        }
    }

    Position position() {
        return source.position();
    }

    private boolean leaseRetired() {
        return lease != null && lease.generation() != ctx.pools().pool(lease.connectionName()).currentGeneration();
    }

    private void reopen(Position position) throws SourceException {
        if (source != null) {
            log.info("{}: moving the source cursor to the new client after a reset", spec.id());
        }
        close();
        if (spec.source() instanceof SourceSpec.Mongo m) {
            lease = ctx.pools().lease(m.connection());
            source = Sources.open(m, position, s -> lease.collection(s.database(), s.collection()));
        } else {
            source = Sources.open(spec.source(), position, null);
        }
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
}
