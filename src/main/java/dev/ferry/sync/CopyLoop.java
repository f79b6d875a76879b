package dev.ferry.sync;

import com.mongodb.client.model.CountOptions;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.IdFrom;
import dev.ferry.job.JobSpec;
import dev.ferry.job.OnInvalid;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.retry.Attempt;
import dev.ferry.sync.retry.AttemptFailure;
import dev.ferry.sync.retry.Retried;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.retry.RetryPolicy.Side;
import com.mongodb.MongoCommandException;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.IdInterval;
import dev.ferry.sync.source.MongoRanges;
import dev.ferry.sync.source.MongoSource;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.RecordSource;
import dev.ferry.sync.source.Source;
import dev.ferry.sync.source.SourceException;
import dev.ferry.sync.source.Sources;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.InsertFirst;
import dev.ferry.sync.write.KeyIndex;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.WriteOutcome;
import com.mongodb.client.MongoCollection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.bson.BsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy job's loop, a follow job's snapshot, and each pass of a comparison (see {@link VerifyLoop}):
 * wait while paused, read the next chunk, hand it to a lane that writes (or compares) it, and record the
 * chunks in the job's {@link JobLedger} in source order as they are acknowledged, until the source is
 * exhausted or the job must stop (docs/jobs.md, "Lanes").
 *
 * <p>Up to {@code lanes} chunks are written at once, each through its own lease, while their bytes stay
 * under {@code job.maxBytesInFlight}. Order is kept: a chunk that holds a key of a chunk still in flight
 * waits until that one is acknowledged, so the last record of each key wins as with one lane. Only a
 * prefix of the source that is wholly acknowledged is recorded; writes are idempotent by key, so a job
 * stopped anywhere resumes there without losing or duplicating a document.
 *
 * <p>Threading: run by the job's worker thread, which reads, hands out and records; the writes run on
 * the lane executor and meet the worker again through their futures; the next chunk is read meanwhile
 * on the read-ahead executor (see {@link ReadAhead}).
 *
 * @param <R> what the work on one chunk gives: a {@link WriteOutcome}, or a comparison's findings
 */
final class CopyLoop<R> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CopyLoop.class);

    private final RunningJob job;
    private final Reads reads;
    private final Writes<R> writes;
    private final Recorder<R> recorder;
    private final Lanes<Chunk, R> lanes;
    /** What a chunk of only rejected records gives: nothing was written. */
    private final R none;
    /** Whether chunks sharing a key wait for each other (writes do; comparisons only read). */
    private final boolean holdKeys;
    private final Position start;
    private final long chunksBefore;

    private CopyLoop(RunningJob job, Reads reads, Writes<R> writes, Recorder<R> recorder, R none, boolean holdKeys,
                     Position start, long chunksBefore, int lanes, long maxBytesInFlight, Executor laneExecutor) {
        this.job = job;
        this.reads = reads;
        this.writes = writes;
        this.recorder = recorder;
        this.none = none;
        this.holdKeys = holdKeys;
        this.start = start;
        this.chunksBefore = chunksBefore;
        this.lanes = new Lanes<>(job, lanes, maxBytesInFlight, laneExecutor);
    }

    /** One lane, writing on the worker thread itself: one chunk in flight, as before lanes. */
    static CopyLoop<WriteOutcome> copying(RunningJob job, JobLedger ledger, Reads reads, Writes<WriteOutcome> writes) {
        return copying(job, ledger, reads, writes, 1, Long.MAX_VALUE, Runnable::run);
    }

    /** A copy from where the ledger stands, recording each acknowledged chunk in it. */
    static CopyLoop<WriteOutcome> copying(RunningJob job, JobLedger ledger, Reads reads, Writes<WriteOutcome> writes,
                                          int lanes, long maxBytesInFlight, Executor laneExecutor) {
        JobLedger.Progress at = ledger.progress();
        return new CopyLoop<>(job, reads, writes, (batch, outcome, retries, after, progress) -> {
            job.sourceProgress(progress);
            return ledger.recordChunk(batch, outcome, retries, after);
        }, WriteOutcome.NONE, true, at.position(), at.counters().chunks(), lanes, maxBytesInFlight, laneExecutor);
    }

    /** The loop of one job on the shared stages: its source read ahead, its destination written by key in lanes. */
    static CopyLoop<WriteOutcome> of(RunningJob job, JobLedger ledger, JobTask.Stages stages) {
        boolean cleaning = ledger.follow().map(FollowState::cleaning).orElse(false);
        return copying(job, ledger, reads(job, job.spec().source(), stages), new DestinationWriter(stages, job, cleaning),
                job.spec().lanes(), stages.maxBytesInFlight(), stages.lanes());
    }

    /**
     * After a resnapshot's copy: deletes the destination's documents beyond the last one each range read
     * (docs/follow.md, "When the resume point is lost").
     *
     * @return false if the job must stop
     */
    static boolean deleteBeyond(RunningJob job, JobLedger ledger, JobTask.Stages stages)
            throws JobFailure, InterruptedException {
        DestinationSpec destination = job.spec().destination();
        List<IdInterval> beyond = IdInterval.beyond(ledger.progress().position());
        try {
            Retried<Long> deleted = stages.policy().run(job, Side.DESTINATION, destination.connection(), 0, () -> {
                long n = 0;
                try (Lease lease = stages.pools().lease(destination.connection())) {
                    var collection = lease.collection(destination.database(), destination.collection());
                    for (IdInterval stretch : beyond) {
                        n += collection.deleteMany(stretch.filter()).getDeletedCount();
                    }
                }
                return n;
            });
            if (deleted instanceof Retried.Done<Long> done && done.value() > 0) {
                log.info("{}: deleted {} documents after the source's last that the source no longer has", job.id(),
                        done.value());
            }
            return deleted instanceof Retried.Done<Long>;
        } catch (AttemptFailure e) {
            throw JobFailure.of(e, JobFailure.WRITE_ERROR, destination.describe(), "deleting what the source no "
                    + "longer has", 0);
        }
    }

    /**
     * A loop over {@code source} from {@code start} whose chunks go to {@code work} in the job's lanes
     * and, in order, to {@code recorder} (a comparison's pass).
     */
    static <R> CopyLoop<R> over(RunningJob job, CopyLoop.Reads reads, Position start, long chunksBefore,
                                Writes<R> work, Recorder<R> recorder, R none, JobTask.Stages stages) {
        return new CopyLoop<>(job, reads, work, recorder, none, false, start, chunksBefore, job.spec().lanes(),
                stages.maxBytesInFlight(), stages.lanes());
    }

    /** A source of the job read ahead on the shared stages, reopened after failures with the job's retries. */
    static Reads reads(RunningJob job, SourceSpec source, JobTask.Stages stages) {
        return new ReadAhead(new SourceReader(stages.pools(), stages.policy(), job, source, stages.lanes()),
                stages.readAhead(), job.id());
    }

    /** A chunk read and handed to a lane, with where the source stood after it, until it is recorded. */
    private record Chunk(Batch batch, Position after, double progress) {
    }

    /** Where the chunks handed back in order go. */
    @FunctionalInterface
    interface Recorder<R> {
        /**
         * @param after    where the source stands after the chunk
         * @param progress how far the source is after it, 0.0–1.0, or -1 when unknown
         * @return false if the job must stop before the chunk could be recorded
         */
        boolean record(Batch batch, R result, long retries, Position after, double progress) throws InterruptedException;
    }

    /**
     * @return true once the source is exhausted and every chunk recorded; false when the job must stop
     *         (shutdown or cancel), after the chunks acknowledged before the stop are recorded
     * @throws JobFailure when a chunk cannot be read or written (the chunks before it are recorded)
     */
    boolean run() throws JobFailure, InterruptedException {
        Position readAt = start;
        long chunkNo = chunksBefore;
        try (lanes) {
            while (true) {
                // paused: the chunks in flight are written and recorded first, then the job waits with none
                if (job.isPaused() && !lanes.recordAll(this::record) || !job.awaitRunnable()) {
                    return stopped();
                }
                Retried<Batch> read;
                try {
                    read = reads.next(readAt, ++chunkNo);
                } catch (JobFailure failure) {
                    lanes.recordAll(this::record); // the chunks before the one that cannot be read are recorded, their rejects kept
                    throw failure;
                }
                if (!(read instanceof Retried.Done<Batch> done)) {
                    return stopped();
                }
                Batch batch = done.value();
                if (batch.records() == 0) {
                    return lanes.recordAll(this::record);
                }
                Position before = readAt;
                readAt = reads.position();
                Chunk chunk = new Chunk(batch, readAt, reads.progress());
                List<Object> keys = lanes.lanes() == 1 || !holdKeys ? List.of() : keys(batch);
                long bytes = lanes.lanes() == 1 ? 0 : bytes(batch);
                while (!lanes.hasRoom(keys, bytes)) {
                    if (!lanes.recordHead(this::record)) {
                        return stopped();
                    }
                }
                if (batch.documents().isEmpty()) {
                    lanes.addDone(chunkNo, chunk, none); // only rejected records: nothing to write
                } else {
                    long number = chunkNo;
                    lanes.add(number, chunk, keys, bytes,
                            turn -> writes.write(batch, before, chunk.after(), number, turn));
                }
                // record what is acknowledged already, so the checkpoint follows the writes closely
                while (lanes.headDone()) {
                    if (!lanes.recordHead(this::record)) {
                        return stopped();
                    }
                }
            }
        }
    }

    /**
     * Records a chunk handed back in order.
     *
     * @return false if its write stopped (shutdown or cancel) or the job must stop before it was recorded
     */
    private boolean record(Chunk chunk, Retried<R> written) throws InterruptedException {
        if (!(written instanceof Retried.Done<R> done)) {
            return false;
        }
        return recorder.record(chunk.batch(), done.value(), done.retries(), chunk.after(), chunk.progress());
    }

    /** Records what was acknowledged before the job must stop. @return false, always */
    private boolean stopped() throws JobFailure, InterruptedException {
        lanes.recordAll(this::record);
        return false;
    }

    /** The keys a chunk's writes touch, each once. */
    private List<Object> keys(Batch batch) {
        List<String> key = job.spec().key();
        Set<Object> keys = new HashSet<>();
        for (BsonDocument document : batch.documents()) {
            ChunkWriter.keyOf(document, key).ifPresent(keys::add);
        }
        return List.copyOf(keys);
    }

    /** About the bytes a chunk's documents take in memory, as BSON would count them. */
    private static long bytes(Batch batch) {
        long bytes = 0;
        for (BsonDocument document : batch.documents()) {
            bytes += Lanes.bytes(document);
        }
        return bytes;
    }

    /** Releases the source (and a mongodb source's lease); the ledger stays usable. */
    @Override
    public void close() {
        reads.close();
    }

    /** Where a job's chunks come from. */
    interface Reads extends AutoCloseable {

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

    /** Where a job's chunks go. */
    interface Writes<R> {

        /**
         * @param origins names each document in messages and rejected records
         * @param turn    waited for before each retry: the chunk's turn comes once every chunk before it is written
         * @return what the acknowledged write did (with the documents refused, when the job skips them), or stopped
         */
        Retried<R> write(List<BsonDocument> chunk, Origins origins, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException;

        /**
         * As {@link #write(List, Origins, long, Lanes.Turn)}, knowing where the source stood before and after
         * the chunk (a comparison uses it to look up the stretch of {@code _id}s the chunk covers).
         */
        default Retried<R> write(Batch batch, Position before, Position after, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            return write(batch.documents(), batch.origins(), chunkNo, turn);
        }
    }

    /**
     * A job's source, reopened at the last acknowledged position whenever reading fails transiently. A
     * mongodb source holds a lease for its cursor; when the pool retired its client (a reset or
     * reconnect), the source moves to the new client between two chunks, so that the old one can drain.
     * A DOWN source pool is waited for as a DOWN destination is.
     */
    private static final class SourceReader implements Reads {
        private static final long NOT_COUNTED = -2;
        private static final long UNCOUNTABLE = -1;
        /** A count slower than this is given up: Progress stays unknown rather than delay the job further. */
        private static final long COUNT_LIMIT_SECONDS = 30;

        private final PoolManager pools;
        private final RetryPolicy policy;
        private final RunningJob job;
        private final JobSpec spec;
        /** What it reads: the job's source, or (comparing) its destination. */
        private final SourceSpec sourceSpec;
        /** Runs the readers of a mongodb source read in ranges. */
        private final ExecutorService rangeReaders;
        /** The connection of a mongodb source, else null. */
        private final String connection;
        /** Present when the job makes {@code _id}s from positions. */
        private final Optional<PositionIds> ids;
        private Source source;
        private Lease lease;
        /** Matching documents of a mongodb source, counted once per job; {@link #NOT_COUNTED} until then. */
        private long expectedDocuments = NOT_COUNTED;

        SourceReader(PoolManager pools, RetryPolicy policy, RunningJob job, SourceSpec sourceSpec,
                     ExecutorService rangeReaders) {
            this.pools = pools;
            this.policy = policy;
            this.job = job;
            this.rangeReaders = rangeReaders;
            this.spec = job.spec();
            this.sourceSpec = sourceSpec;
            this.connection = sourceSpec instanceof SourceSpec.Mongo m ? m.connection() : null;
            this.ids = spec.idFrom() == IdFrom.POSITION ? Optional.of(new PositionIds(spec.id())) : Optional.empty();
        }

        @Override
        public Retried<Batch> next(Position after, long chunkNo) throws JobFailure, InterruptedException {
            try {
                return policy.run(job, Side.SOURCE, connection, chunkNo, new Read(after));
            } catch (AttemptFailure e) {
                throw JobFailure.of(e, JobFailure.SOURCE_ERROR, sourceSpec.describe(), "chunk " + chunkNo, chunkNo);
            }
        }

        @Override
        public Optional<Batch> tryNext(Position after, long chunkNo) {
            Read read = new Read(after);
            try {
                return Optional.of(read.run());
            } catch (SourceException | RuntimeException e) {
                log.debug("{}: chunk {} read ahead failed, the job reads it itself: {}", spec.id(), chunkNo,
                        e.toString());
                read.abandon();
                return Optional.empty();
            }
        }

        @Override
        public Position position() {
            return source.position();
        }

        private void reopen(Position position) throws SourceException {
            if (source != null) {
                log.info("{}: moving the source cursor to the new client after a reset", spec.id());
            }
            close();
            if (sourceSpec instanceof SourceSpec.Mongo m) {
                lease = pools.lease(m.connection());
                if (expectedDocuments == NOT_COUNTED) {
                    expectedDocuments = count(m);
                }
                source = openMongo(m, lease.collection(m.database(), m.collection()), position);
            } else {
                source = Sources.open(sourceSpec, position, null, spec.onInvalid());
            }
        }

        /**
         * A copy keyed by {@code _id} is read in ranges, as many as it has lanes and each with a chunk or
         * more, when the server can sample {@code _id}s; a resumed one as its checkpoint was read
         * (docs/jobs.md, "Reading a mongodb source in ranges"). Other keys read one cursor: two documents with one key in two ranges
         * would be written in the order the ranges happen to deliver them, not in {@code _id} order.
         */
        private Source openMongo(SourceSpec.Mongo m, MongoCollection<BsonDocument> collection, Position position) {
            if (MongoRanges.isRanges(position)) {
                return MongoRanges.resume(collection, m.filter(), m.projection(), position, rangeReaders);
            }
            long chunks = expectedDocuments < 0 ? Long.MAX_VALUE
                    : (expectedDocuments + spec.chunkSize() - 1) / spec.chunkSize();
            int ranges = spec.key().equals(List.of("_id")) ? (int) Math.min(spec.lanes(), chunks) : 1;
            if (position.equals(Position.START) && ranges > 1) {
                try {
                    List<BsonValue> points = MongoRanges.splitPoints(collection, m.filter(), ranges);
                    if (!points.isEmpty()) {
                        log.info("{}: reading the source in {} ranges of _id at once", spec.id(), points.size() + 1);
                        return MongoRanges.start(collection, m.filter(), m.projection(), points, rangeReaders);
                    }
                } catch (MongoCommandException e) {
                    log.warn("{}: the source cannot sample _ids to split the reading into ranges, so one cursor reads it: {}",
                            spec.id(), e.getErrorMessage());
                }
            }
            return new MongoSource(collection, m.filter(), m.projection(), position, spec.lanes());
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
                if (source == null || (lease != null && lease.isRetired())) {
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

    /**
     * Writes one job's chunks through a fresh lease per attempt, by key; a DOWN destination is waited for.
     * Called by the job's lanes at once: the key's index is looked for once, under this object's lock.
     */
    private static final class DestinationWriter implements Writes<WriteOutcome> {
        private final PoolManager pools;
        private final RetryPolicy policy;
        private final ChunkWriter writer;
        private final KeyIndex keyIndex;
        private final RunningJob job;
        private final DestinationSpec destination;
        /** Set once per run of the job, when the key's index was looked for before its first chunk. */
        private volatile InsertFirst insertFirst;
        /** A resnapshot's copy: each chunk also deletes what the source no longer has in its stretch of _id. */
        private final boolean cleaning;

        DestinationWriter(JobTask.Stages stages, RunningJob job, boolean cleaning) {
            this.cleaning = cleaning;
            this.pools = stages.pools();
            this.policy = stages.policy();
            this.writer = stages.chunkWriter();
            this.keyIndex = stages.keyIndex();
            this.job = job;
            this.destination = job.spec().destination();
        }

        @Override
        public Retried<WriteOutcome> write(List<BsonDocument> chunk, Origins origins, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            return attempt(chunkNo, turn, () -> writeOnce(chunk, origins));
        }

        @Override
        public Retried<WriteOutcome> write(Batch batch, Position before, Position after, long chunkNo, Lanes.Turn turn)
                throws JobFailure, InterruptedException {
            Optional<IdInterval> stretch = cleaning ? IdInterval.between(before, after) : Optional.empty();
            if (stretch.isEmpty()) {
                return write(batch.documents(), batch.origins(), chunkNo, turn);
            }
            BsonArray ids = new BsonArray();
            batch.documents().forEach(d -> ids.add(d.get("_id")));
            BsonDocument gone = new BsonDocument("$and", new BsonArray(List.of(stretch.get().filter(),
                    new BsonDocument("_id", new BsonDocument("$nin", ids)))));
            return attempt(chunkNo, turn, () -> {
                WriteOutcome outcome = writeOnce(batch.documents(), batch.origins());
                try (Lease lease = pools.lease(destination.connection())) {
                    long deleted = lease.collection(destination.database(), destination.collection())
                            .deleteMany(gone).getDeletedCount();
                    if (deleted > 0) {
                        log.info("{}: chunk {}: deleted {} documents the source no longer has", job.id(), chunkNo,
                                deleted);
                    }
                }
                return outcome;
            });
        }

        /** One chunk's work, retried by the job's policy; a retry waits for the chunk's turn. */
        private Retried<WriteOutcome> attempt(long chunkNo, Lanes.Turn turn, Write write)
                throws JobFailure, InterruptedException {
            try {
                return policy.run(job.lane(), Side.DESTINATION, destination.connection(), chunkNo, new Attempt<>() {
                    @Override
                    public WriteOutcome run() throws PermanentWriteException {
                        return write.run();
                    }

                    @Override
                    public boolean awaitTurn() throws InterruptedException {
                        return turn.await();
                    }
                });
            } catch (AttemptFailure e) {
                throw JobFailure.of(e, JobFailure.WRITE_ERROR, "chunk " + chunkNo, "chunk " + chunkNo, chunkNo);
            }
        }

        @FunctionalInterface
        private interface Write {
            WriteOutcome run() throws PermanentWriteException;
        }

        private WriteOutcome writeOnce(List<BsonDocument> chunk, Origins origins) throws PermanentWriteException {
            JobSpec spec = job.spec();
            try (Lease lease = pools.lease(destination.connection())) {
                var collection = lease.collection(destination.database(), destination.collection());
                InsertFirst first = insertFirst;
                if (first == null) {
                    first = ensureIndex(collection);
                }
                WriteOutcome outcome = writer.write(collection, chunk, origins, spec.mode(), spec.key(),
                        spec.onInvalid() == OnInvalid.SKIP, first.next());
                first.saw(chunk.size(), outcome);
                return outcome;
            }
        }

        private synchronized InsertFirst ensureIndex(MongoCollection<BsonDocument> collection)
                throws PermanentWriteException {
            if (insertFirst == null) {
                JobSpec spec = job.spec();
                KeyIndex.Ready index = keyIndex.ensure(collection, spec.key());
                index.created().ifPresent(name -> log.info(
                        "{}: created {}index {} on the key {} of {}, so that writing by key does not scan the collection",
                        job.id(), index.unique() ? "unique " : "", name, spec.key(), destination.describe()));
                insertFirst = new InsertFirst(spec.mode(), spec.key(), index.unique());
            }
            return insertFirst;
        }
    }

    /**
     * {@code "idFrom": "position"}: a document without an {@code _id} gets an ObjectId made from the
     * first 12 bytes of SHA-256 over the job id and the record's place in the source ({@code line 17},
     * {@code element 5}). A resumed or rerun job thus writes the same ids and never a document twice.
     * Such ids carry no creation time: their time part is hash bytes.
     */
    static final class PositionIds {
        private final String jobId;

        PositionIds(String jobId) {
            this.jobId = jobId;
        }

        void assign(List<BsonDocument> documents, Origins origins) {
            for (int i = 0; i < documents.size(); i++) {
                BsonDocument document = documents.get(i);
                if (!document.containsKey("_id")) {
                    // _id first, as the server would put it
                    BsonDocument copy = new BsonDocument("_id",
                            new BsonObjectId(idOf(origins.unit(), origins.number(i))));
                    copy.putAll(document);
                    documents.set(i, copy);
                }
            }
        }

        ObjectId idOf(String unit, long number) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] digest = sha.digest((jobId + "\u0000" + unit + "\u0000" + number)
                        .getBytes(StandardCharsets.UTF_8));
                return new ObjectId(Arrays.copyOf(digest, 12));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JVM", e);
            }
        }
    }
}
