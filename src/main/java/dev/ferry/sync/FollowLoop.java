package dev.ferry.sync;

import dev.ferry.config.Limits;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.OnInvalid;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.follow.ChangeEvent;
import dev.ferry.sync.follow.ChangeStreamSource;
import dev.ferry.sync.follow.EventBatch;
import dev.ferry.sync.write.EventWriter;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.NoChangeStreamsException;
import dev.ferry.sync.follow.FollowState.Phase;
import dev.ferry.sync.follow.ResumeLostException;
import dev.ferry.sync.follow.SourceFilter;
import dev.ferry.sync.follow.StreamEndedException;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.sync.retry.Attempt;
import dev.ferry.sync.retry.AttemptFailure;
import dev.ferry.sync.retry.JobState;
import dev.ferry.sync.retry.Retried;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.retry.RetryPolicy.Side;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Rejected;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.Rejection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follow job's change stream: {@link #start()} records where it starts before the snapshot is copied,
 * so that every change made during the copy is applied after it; {@link #run()} then reads a batch of
 * events, applies it, records its token in the job's {@link JobLedger}, until finish (applies what has
 * arrived, then the job is done), cancel or shutdown. A batch is recorded only after the destination
 * acknowledged it, and applying is idempotent by {@code _id}, so a job stopped anywhere resumes from its
 * token without losing an event.
 *
 * <p>The stream is read through a lease on the source connection; when the pool retired its client (a
 * reset or health reconnect), the stream is reopened on the new client from the last applied point, so
 * the old client drains within one read. A read that fails transiently is retried on a fresh stream
 * from the same point. Threading: used by the job's own thread (its worker for the start, a follower
 * thread once it follows); the batches are applied on lane threads through {@link Lanes}.
 */
final class FollowLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FollowLoop.class);
    /** Between two reads that found nothing (a real server's read already waits up to 100 ms itself). */
    static final Duration IDLE = Duration.ofMillis(50);
    /** How often an idle stream's newer token is saved, so a quiet collection does not age out of the oplog. */
    static final Duration IDLE_SAVE = Duration.ofSeconds(10);
    /** Once an event arrived, what arrives within this long more goes into the same batch. */
    static final Duration BATCH_WINDOW = Duration.ofMillis(100);

    private final RunningJob job;
    private final JobLedger ledger;
    private final PoolManager pools;
    private final RetryPolicy policy;
    private final EventWriter writer;
    private final Clock clock;
    private final SourceSpec.Mongo source;
    private final DestinationSpec destination;
    private final SourceFilter filter;
    /** The batches being applied, at most {@code lanes}; closed by {@link #run()}. */
    private final Lanes<Applying, EventWriter.Outcome> inFlight;
    private Lease lease;
    private ChangeStreamSource stream;

    FollowLoop(RunningJob job, JobLedger ledger, JobTask.Stages stages) {
        this.job = job;
        this.ledger = ledger;
        this.pools = stages.pools();
        this.policy = stages.policy();
        this.writer = stages.eventWriter();
        this.clock = stages.clock();
        this.source = (SourceSpec.Mongo) job.spec().source();
        this.destination = job.spec().destination();
        this.filter = new SourceFilter(source.filter(), source.projection());
        this.inFlight = new Lanes<>(job, job.spec().lanes(), stages.maxBytesInFlight(), stages.lanes());
    }

    /**
     * Before the snapshot: a resumed job goes on from its saved state; a fresh one opens its change
     * stream and saves where it starts, before the copy writes anything.
     *
     * @return false if the job must stop (shutdown or cancel)
     */
    boolean start() throws JobFailure, InterruptedException {
        Optional<FollowState> saved = ledger.follow();
        if (saved.isPresent()) {
            log.info("{}: resuming in phase {}, change stream from {}", job.id(), saved.get().phase(),
                    saved.get().point().describe());
            return true;
        }
        Retried<StreamPoint> point = openStartPoint();
        if (!(point instanceof Retried.Done<StreamPoint> opened)) {
            return false;
        }
        if (!ledger.saveStart(FollowState.snapshot(opened.value()))) {
            return false;
        }
        log.info("{}: change stream opened at {} before the snapshot copy", job.id(), opened.value().describe());
        return true;
    }

    /**
     * After the resume point was lost ({@code "onResumeLost": "resnapshot"}): opens the change stream anew
     * and saves where it starts before the fresh snapshot writes anything, as at the first start.
     *
     * @param why the lost point, in words
     * @return false if the job must stop (shutdown or cancel)
     */
    boolean restart(String why) throws JobFailure, InterruptedException {
        Retried<StreamPoint> point = openStartPoint();
        if (!(point instanceof Retried.Done<StreamPoint> opened)) {
            return false;
        }
        return ledger.saveResnapshot(ledger.follow().orElseThrow().resnapshot(opened.value()), why);
    }

    /** Where a change stream opened now starts, before a snapshot copies anything. */
    private Retried<StreamPoint> openStartPoint() throws JobFailure, InterruptedException {
        return read(0, () -> {
            try (Lease l = pools.lease(source.connection())) {
                return ChangeStreamSource.startPoint(l.collection(source.database(), source.collection()), clock);
            }
        });
    }

    /** Whether the snapshot was copied in an earlier run: the job follows at once. */
    boolean snapshotCopied() {
        return ledger.follow().map(f -> f.phase() == Phase.FOLLOWING).orElse(false);
    }

    /**
     * Follows the source after its snapshot: polls batches of events and applies up to {@code lanes} of
     * them at once; a batch that touches a document of a batch in flight waits for it, so each document's
     * changes apply in stream order. Batches are recorded in stream order, so the saved token is always
     * one before which every event is applied.
     *
     * @return true after finish; false when the job must stop (shutdown or cancel)
     * @throws JobFailure when the stream cannot be read (its history lost, the collection dropped) or a
     *                    batch cannot be applied
     */
    boolean run() throws JobFailure, InterruptedException {
        FollowState state = ledger.follow().orElseThrow().following();
        boolean wasFollowing = snapshotCopied();
        job.state(JobState.FOLLOWING);
        if (!ledger.saveNow(state)) {
            return false;
        }
        log.info("{}: {} from {}", job.id(), wasFollowing ? "following again" : "snapshot copied; following changes",
                state.point().describe());
        long lastSave = clock.millis();
        long batchNo = 0;
        // where the stream reads on: after the last batch polled, which may be ahead of the one recorded
        StreamPoint readFrom = state.point();
        long eventsPolled = state.eventsApplied();
        try (inFlight) {
            while (true) {
                // paused: the chunks in flight are written and recorded first, then the job waits with none
                if (job.isPaused() && !inFlight.recordAll(this::record) || !job.awaitRunnable()) {
                    return stopped();
                }
                boolean finishing = job.isFinishRequested();
                StreamPoint from = readFrom;
                long polledAt = clock.millis(); // an empty poll says: every event before this is applied
                Retried<Polled> read = read(batchNo + 1, () -> poll(from));
                if (!(read instanceof Retried.Done<Polled> polled)) {
                    return stopped();
                }
                ledger.retried(polled.retries());
                EventBatch batch = polled.value().batch();
                if (batch.isEmpty()) {
                    if (!inFlight.recordAll(this::record)) {
                        return false;
                    }
                    job.caughtUpSince(polledAt);
                    job.state(JobState.FOLLOWING);
                    FollowState recorded = ledger.follow().orElseThrow();
                    FollowState idle = idleToken(recorded);
                    readFrom = idle.point();
                    if (finishing || clock.millis() - lastSave >= IDLE_SAVE.toMillis()) {
                        if (!ledger.saveNow(idle)) {
                            return false;
                        }
                        lastSave = clock.millis();
                    }
                    if (finishing) {
                        return true;
                    }
                    if (!job.sleep(IDLE)) {
                        return false;
                    }
                    continue;
                }
                job.caughtUp(false);
                long number = ++batchNo;
                List<ChangeEvent> writes = polled.value().writes();
                // a refused write is named by the place in the stream of the event it comes from
                long[] places = new long[writes.size()];
                List<Object> keys = new ArrayList<>(writes.size());
                long bytes = 0;
                for (int i = 0; i < places.length; i++) {
                    ChangeEvent change = writes.get(i);
                    places[i] = eventsPolled + batch.place(change.id());
                    keys.add(ChunkWriter.keyValue(change.id()));
                    bytes += change.document() == null ? 16 : Lanes.bytes(change.document());
                }
                Origins origins = new Origins("change", places);
                StreamPoint next = batch.lastToken().map(StreamPoint::after).orElse(readFrom);
                Applying applying = new Applying(writes, origins, next, batch.events(), batch.newestClusterTimeMillis());
                while (!inFlight.hasRoom(keys, bytes)) {
                    if (!inFlight.recordHead(this::record)) {
                        return stopped();
                    }
                }
                inFlight.add(number, applying, keys, bytes, turn -> apply(writes, origins, number, turn));
                readFrom = next;
                eventsPolled += batch.events();
                while (inFlight.headDone()) {
                    if (!inFlight.recordHead(this::record)) {
                        return stopped();
                    }
                }
            }
        }
    }

    /** A batch of events handed to a lane, until it is recorded. */
    private record Applying(List<ChangeEvent> writes, Origins origins, StreamPoint next, long events,
                            long newestClusterTimeMillis) {
    }

    /**
     * Records a batch handed back in stream order: its refused documents, then its token.
     *
     * @return false if its apply stopped (shutdown or cancel) or the job must stop before it was recorded
     */
    private boolean record(Applying batch, Retried<EventWriter.Outcome> result) throws InterruptedException {
        if (!(result instanceof Retried.Done<EventWriter.Outcome> written)) {
            return false;
        }
        FollowState state = ledger.follow().orElseThrow().applied(batch.next(), batch.events(),
                written.value().deleted());
        List<Rejected> refused = new ArrayList<>();
        for (Rejection r : written.value().writes().rejected()) {
            ChangeEvent change = batch.writes().get(r.index());
            // a refused delete has no document: its record is the key it could not delete
            BsonDocument record = change.document() != null ? change.document() : new BsonDocument("_id", change.id());
            refused.add(new Rejected(batch.origins().unit(), batch.origins().number(r.index()), r.reason(), record));
        }
        if (!ledger.recordEvents(state, written.value().writes(), refused, written.retries())) {
            return false;
        }
        job.applied(batch.events(), batch.newestClusterTimeMillis());
        return true;
    }

    /** Records what was applied before the job must stop. @return false, always */
    private boolean stopped() throws JobFailure, InterruptedException {
        inFlight.recordAll(this::record);
        return false;
    }

    /** A real server's post-batch token moves on while the collection is quiet; following it loses nothing. */
    private FollowState idleToken(FollowState state) {
        Optional<BsonDocument> token = stream == null ? Optional.empty() : stream.currentToken();
        if (token.isPresent() && !(state.point().isToken() && state.point().resumeToken().equals(token.get()))) {
            return state.movedTo(StreamPoint.after(token.get()));
        }
        return state;
    }

    /** Events read, and the writes they come to once the job's filter and projection are applied. */
    private record Polled(EventBatch batch, List<ChangeEvent> writes) {
    }

    /** One read of the events after {@code from} (where a reopened stream starts); an empty batch when there are none. */
    private Polled poll(StreamPoint from) throws StreamEndedException, ResumeLostException, NoChangeStreamsException {
        if (stream == null || lease.isRetired()) {
            if (stream != null) {
                log.info("{}: moving the change stream to the new client after a reset, from {}", job.id(),
                        from.describe());
            }
            close();
            lease = pools.lease(source.connection());
            // a getMore fetches a batch for each lane, so that one round trip to the source feeds them all
            stream = new ChangeStreamSource(lease.collection(source.database(), source.collection()), from,
                    (int) Math.min(Limits.MAX_CHUNK_SIZE, (long) job.spec().chunkSize() * job.spec().lanes()));
        }
        EventBatch batch = stream.poll(job.spec().chunkSize(), BATCH_WINDOW, clock);
        if (batch.isEmpty()) {
            return new Polled(batch, List.of());
        }
        return new Polled(batch, filter.apply(lease.collection(source.database(), source.collection()), batch.folded()));
    }

    /** A read of the source, retried on a fresh stream; a DOWN source pool is waited for. */
    private <T> Retried<T> read(long batchNo, Attempt<T> attempt) throws JobFailure, InterruptedException {
        try {
            return policy.run(job, Side.SOURCE, source.connection(), batchNo, new Attempt<T>() {
                @Override
                public T run() throws Exception {
                    return attempt.run();
                }

                @Override
                public void abandon() {
                    close();
                }
            });
        } catch (AttemptFailure e) {
            Throwable cause = e.getCause();
            if (cause instanceof ResumeLostException) {
                throw new JobFailure(JobFailure.RESUME_LOST, cause.getMessage(), batchNo, e.attempts());
            }
            if (cause instanceof StreamEndedException || cause instanceof NoChangeStreamsException) {
                throw new JobFailure(JobFailure.SOURCE_ERROR, source.describe() + ": " + cause.getMessage(), batchNo,
                        e.attempts());
            }
            throw JobFailure.of(e, JobFailure.SOURCE_ERROR, source.describe() + " change stream",
                    batchNo == 0 ? "opening the change stream" : "reading batch " + batchNo + " of change events", batchNo);
        }
    }

    /**
     * Applies a batch on a lane through a fresh lease per attempt; a DOWN destination is waited for. A
     * document the destination refuses for good is set aside with {@code "onInvalid": "skip"}, else
     * fails the job.
     */
    private Retried<EventWriter.Outcome> apply(List<ChangeEvent> writes, Origins origins, long batchNo,
                                               Lanes.Turn turn) throws JobFailure, InterruptedException {
        boolean skip = job.spec().onInvalid() == OnInvalid.SKIP;
        try {
            return policy.run(job.lane(), Side.DESTINATION, destination.connection(), batchNo, new Attempt<>() {
                @Override
                public EventWriter.Outcome run() throws PermanentWriteException {
                    try (Lease l = pools.lease(destination.connection())) {
                        // looked at once more just before the write: a job that is to go on elsewhere (its cluster
                        // lease passed, docs/cluster.md) writes nothing more, even after a pause of its process
                        if (job.isStopping()) {
                            throw new IllegalStateException(job.id() + ": stopping before batch " + batchNo);
                        }
                        return writer.write(l.collection(destination.database(), destination.collection()), writes,
                                origins, skip);
                    }
                }

                @Override
                public boolean awaitTurn() throws InterruptedException {
                    return turn.await();
                }
            });
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.WRITE_ERROR, "batch " + batchNo + " of change events",
                    "batch " + batchNo + " of change events", batchNo);
        }
    }

    /** Releases the stream and its lease. */
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
}
