package dev.ferry.sync;

import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.checkpoint.Checkpoints;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.checkpoint.RecordFile;
import dev.ferry.sync.checkpoint.VerifyState;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.retry.JobState;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.source.Batch;
import dev.ferry.sync.source.Origins;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.Rejected;
import dev.ferry.sync.write.Rejection;
import dev.ferry.sync.write.WriteOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job's books: where it stands (source position and counters), its checkpoints, its rejected
 * records, and how it ends (result or error file, rejected records beside it, checkpoint deleted, job
 * moved out of active/). Every change of a job's counters goes through here, and every disk write
 * through the {@link RetryPolicy}, so a full disk loses nothing. A chunk is recorded only after the
 * destination acknowledged it: its rejected records reach the disk first, then its checkpoint.
 *
 * <p>Threading: used by the job's worker thread only; what others see is published to {@link RunningJob}.
 */
final class JobLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobLedger.class);

    /** Where a job stands: after {@code position} of its source, with these totals. */
    record Progress(Position position, Counters counters) {
        static final Progress START = new Progress(Position.START, Counters.ZERO);
    }

    private final Books books;
    private final RunningJob job;
    private final JobClaim claim;
    private final String fingerprint;
    private final CheckpointPipeline pipeline;
    /** Present when the job keeps its rejected records ({@code "onInvalid": "skip"}). */
    private final Optional<RecordFile> rejects;
    /** Present when the job compares source and destination: the keys found different. */
    private final Optional<RecordFile> verifyList;
    private Progress progress;
    private Optional<FollowState> follow;
    private Optional<VerifyState> verify;

    private JobLedger(Books books, RunningJob job, JobClaim claim, String fingerprint, Progress progress,
                      Optional<FollowState> follow, Optional<RecordFile> rejects, Optional<VerifyState> verify,
                      Optional<RecordFile> verifyList) {
        this.books = books;
        this.verify = verify;
        this.verifyList = verifyList;
        this.job = job;
        this.claim = claim;
        this.fingerprint = fingerprint;
        this.progress = progress;
        this.follow = follow;
        this.rejects = rejects;
        this.pipeline = new CheckpointPipeline(books.store, books.checkpointIo, job.id());
    }

    /** Where the job stands after the last recorded chunk or batch. */
    Progress progress() {
        return progress;
    }

    /** A follow job's state as last recorded (the snapshot's checkpoints carry it too); empty for a copy job. */
    Optional<FollowState> follow() {
        return follow;
    }

    /**
     * Records a chunk the destination acknowledged: the source's rejected records and the documents the
     * destination refused go to the rejected-records file, then the checkpoint is saved.
     *
     * @param after   where the source stands after the chunk
     * @param retries failed tries of its write
     * @return false if the job must stop before the chunk could be recorded
     */
    boolean recordChunk(Batch batch, WriteOutcome outcome, long retries, Position after)
            throws InterruptedException {
        Progress next = new Progress(after, progress.counters().plusChunk(outcome)
                .plusRejected(batch.rejected().size()).plusRetries(retries).plusGraced(batch.graced().cells()));
        if (!commit(rejected(batch, outcome), next, follow, "write the checkpoint of chunk " + next.counters().chunks())) {
            return false;
        }
        // told once per column by the source; a resume may tell a column again, the count stays exact
        batch.graced().notices().forEach(notice -> log.warn("{}: {}", job.id(), notice));
        books.totals.chunksWritten.increment();
        books.totals.documentsWritten.add(batch.documents().size() - outcome.rejected().size());
        return true;
    }

    /**
     * Makes an acknowledged chunk or batch durable: its rejected records on disk, then its checkpoint;
     * only then is it where the job stands, on its MXBean too.
     *
     * @return false if the job must stop before both were written
     */
    private boolean commit(List<Rejected> refused, Progress next, Optional<FollowState> nextFollow, String what)
            throws InterruptedException {
        if (!refused.isEmpty() && !keep(refused)) {
            return false;
        }
        Checkpoint checkpoint = checkpoint(next, nextFollow);
        if (!books.policy.durably(job, what, () -> pipeline.submit(checkpoint))) {
            return false;
        }
        progress = next;
        follow = nextFollow;
        job.progress(next.counters(), next.position().documentsRead());
        return true;
    }

    /** The source's rejected records, then the documents the destination refused, in the order they were read. */
    private static List<Rejected> rejected(Batch batch, WriteOutcome outcome) {
        if (outcome.rejected().isEmpty()) {
            return batch.rejected();
        }
        List<Rejected> all = new ArrayList<>(batch.rejected());
        Origins origins = batch.origins();
        for (Rejection r : outcome.rejected()) {
            all.add(new Rejected(origins.unit(), origins.number(r.index()), r.reason(), batch.documents().get(r.index())));
        }
        all.sort(Comparator.comparingLong(Rejected::number));
        return all;
    }

    private boolean keep(List<Rejected> records) throws InterruptedException {
        RecordFile file = rejects.orElseThrow(() -> new IllegalStateException(
                records.size() + " rejected records in a job that keeps none"));
        return books.policy.durably(job, "append " + records.size() + " rejected records", () -> file.append(records));
    }

    /**
     * A follow job's state, saved now and waited for: its stream's start point must be on disk before
     * the copy writes anything, or a restart would open a later stream and miss the deletes in between.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean saveNow(FollowState state) throws InterruptedException {
        follow = Optional.of(state);
        Checkpoint checkpoint = checkpoint(progress, follow);
        if (!books.policy.durably(job, "write the checkpoint", () -> {
            pipeline.submit(checkpoint);
            pipeline.drain();
        })) {
            return false;
        }
        job.follow(state); // its phase shows once it is on disk
        return true;
    }

    /**
     * A fresh follow job's stream start, saved before the copy writes anything; the copy then starts at
     * the first document, whatever an earlier checkpoint without a stream start said.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean saveStart(FollowState start) throws InterruptedException {
        if (!progress.equals(Progress.START)) {
            log.warn("{}: its checkpoint has no change stream start; copying from the first document again",
                    job.id());
            progress = Progress.START;
        }
        return saveNow(start);
    }

    /**
     * A follow job whose resume point is gone starts over from a fresh snapshot: its copy begins at the
     * first document again, from {@code state}'s new stream start, saved before it writes anything; the
     * log and a notification say why.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean saveResnapshot(FollowState state, String why) throws InterruptedException {
        log.warn("{}: {}; copying a fresh snapshot (resnapshot {}), deleting what the source no longer has, then "
                + "following again", job.id(), why, state.resnapshots());
        books.events.resnapshot(job.id(), why + "; copying a fresh snapshot, then following again");
        progress = new Progress(Position.START, progress.counters());
        return saveNow(state);
    }

    /** Failed tries of a change stream read, counted when the batch they read is recorded or saved. */
    void retried(long retries) {
        if (retries > 0) {
            progress = new Progress(progress.position(), progress.counters().plusRetries(retries));
        }
    }

    /**
     * Records a batch of change events the destination acknowledged, as durably as a chunk: the documents
     * it refused (with {@code "onInvalid": "skip"}) reach the rejected-records file first.
     *
     * @param state   the follow state after the batch
     * @param writes  what applying it did
     * @param refused the documents the destination refused for good, as rejected records
     * @param retries failed tries of the apply
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean recordEvents(FollowState state, WriteOutcome writes, List<Rejected> refused, long retries)
            throws InterruptedException {
        Progress next = new Progress(progress.position(), progress.counters().plusWrites(writes).plusRetries(retries));
        return commit(refused, next, Optional.of(state), "write the checkpoint after " + state.eventsApplied() + " events");
    }

    private Checkpoint checkpoint(Progress at, Optional<FollowState> with) {
        return new Checkpoint(job.id(), fingerprint, at.position(), at.counters(), job.startedAt(), with, verify);
    }

    /** Where the job's comparison stands; empty before it began. */
    Optional<VerifyState> verify() {
        return verify;
    }

    /**
     * Begins the job's comparison, unless an earlier run began it: from now on a restart continues the
     * comparison and copies nothing again.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean beginVerify() throws InterruptedException {
        return verify.isPresent() || saveVerify(VerifyState.start(books.clock.instant()));
    }

    /** The comparison's second pass (a mongodb source's destination keys), from its start. */
    boolean beginDestinationPass() throws InterruptedException {
        return saveVerify(verify.orElseThrow().toDestinationPass());
    }

    /**
     * Records a compared chunk: its differing keys reach the verify list first (while the list holds
     * fewer than {@code maxListed}), then the checkpoint.
     *
     * @param after where the pass's reading stands after the chunk
     * @return false if the job must stop before the chunk could be recorded
     */
    boolean recordCompared(VerifyLoop.Comparison found, Position after, long maxListed) throws InterruptedException {
        return recordCompared(found, after, maxListed, false);
    }

    /** @param last whether the comparison is done with this */
    boolean recordCompared(VerifyLoop.Comparison found, Position after, long maxListed, boolean last)
            throws InterruptedException {
        VerifyState now = verify.orElseThrow();
        int room = (int) Math.max(0, Math.min(found.differences().size(), maxListed - now.listed()));
        List<org.bson.BsonDocument> lines = found.differences().subList(0, room);
        RecordFile list = verifyList.orElseThrow(() -> new IllegalStateException("a job that compares nothing"));
        if (!lines.isEmpty() && !books.policy.durably(job, "append " + lines.size() + " keys to the verify list",
                () -> list.appendDocuments(lines))) {
            return false;
        }
        VerifyState next = now.plus(after, found.compared(), found.equal(), found.missing(), found.extra(),
                found.different(), lines.size());
        return saveVerify(last ? next.done() : next);
    }

    private boolean saveVerify(VerifyState next) throws InterruptedException {
        Optional<VerifyState> before = verify;
        verify = Optional.of(next);
        Checkpoint checkpoint = checkpoint(progress, follow);
        if (!books.policy.durably(job, "write the checkpoint of the comparison", () -> pipeline.submit(checkpoint))) {
            verify = before;
            return false;
        }
        job.verify(next);
        return true;
    }

    /** The last checkpoint on disk before it is deleted or the job stops: a save in flight never outlives the job. */
    private boolean drain() throws InterruptedException {
        return books.policy.durably(job, "write the last checkpoint", pipeline::drain);
    }

    /** The job copied everything (and, following, applied what arrived before finish): to done/. */
    void completed() throws InterruptedException {
        JobSpec spec = job.spec();
        if (!drain()) {
            return;
        }
        Instant finished = books.clock.instant();
        // the rejected records first, then the checkpoint: a crash before the move reruns the job from the
        // start, idempotently, and a rerun from the start begins a new rejected-records file
        close(); // the rejected records are complete: their file moves beside the result
        if (!books.policy.durably(job, "move the rejected records to done/",
                () -> RecordFile.finish(books.spool, spec.id(), true))) {
            return;
        }
        if (verifyList.isPresent() && !books.policy.durably(job, "move the verify list to done/",
                () -> RecordFile.finish(books.spool, spec.id(), RecordFile.VERIFY, true))) {
            return;
        }
        if (!books.policy.durably(job, "delete the checkpoint", () -> books.store.delete(spec.id()))) {
            return;
        }
        Counters counters = progress.counters();
        long documentsRead = spec.onlyVerifies() ? verify.map(VerifyState::compared).orElse(0L)
                : progress.position().documentsRead();
        Document result = result(spec, counters, documentsRead, job.startedAt(), finished, follow);
        verify.ifPresent(v -> result.append("verify", v.report(finished)));
        if (!books.policy.durably(job, "tell the cluster the job is done",
                () -> books.placement.ending(spec.id(), true, result))) {
            return;
        }
        if (!books.policy.durably(job, "move the job to done/", () -> books.spool.complete(claim, spec.id(), result))) {
            return;
        }
        books.totals.completedJobs.increment();
        long millis = Duration.between(job.startedAt(), finished).toMillis();
        log.info("{}: done: {} documents read, {} inserted, {} matched, {} modified, {} upserted, {} skipped, "
                        + "{} rejected, {} chunks, {} retries in {} ms", spec.id(), documentsRead, counters.inserted(),
                counters.matched(), counters.modified(), counters.upserted(), counters.skipped(), counters.rejected(),
                counters.chunks(), counters.retries(), millis);
        follow.ifPresent(f -> log.info("{}: finished following: {} events applied, {} documents deleted",
                spec.id(), f.eventsApplied(), f.deleted()));
        books.events.done(spec.id(), documentsRead, counters.chunks(), millis);
    }

    /** The job failed for good: to failed/ with its error file. */
    void failed(JobFailure failure) throws InterruptedException {
        String id = job.id();
        log.error("{}: failed ({}) at chunk {} after {} attempt(s): {}", id, failure.kind(), failure.chunk(),
                failure.attempts(), failure.getMessage());
        job.lastError(failure.getMessage());
        if (!drain()) {
            return;
        }
        close();
        if (!books.policy.durably(job, "move the rejected records to failed/",
                () -> RecordFile.finish(books.spool, id, false))) {
            return;
        }
        if (verifyList.isPresent() && !books.policy.durably(job, "move the verify list to failed/",
                () -> RecordFile.finish(books.spool, id, RecordFile.VERIFY, false))) {
            return;
        }
        if (!books.policy.durably(job, "delete the checkpoint", () -> books.store.delete(id))) {
            return;
        }
        Instant at = books.clock.instant();
        Document error = error(id, failure.kind(), failure.getMessage(), failure.chunk(), failure.attempts(), at);
        verify.ifPresent(v -> error.append("verify", v.report(at)));
        if (!books.policy.durably(job, "tell the cluster the job failed", () -> books.placement.ending(id, false, error))) {
            return;
        }
        if (books.policy.durably(job, "move the job to failed/", () -> books.spool.fail(claim, id, error))) {
            books.totals.failedJobs.increment();
            books.events.failed(id, failure.kind(), failure.getMessage());
        }
    }

    /** Stopped by shutdown it stays in active/ to resume from its checkpoint; stopped by a cancel it fails. */
    void stopped() throws InterruptedException {
        Counters counters = progress.counters();
        if (job.isCancelled() && !job.isStopping()) {
            failed(new JobFailure(JobFailure.CANCELLED, "cancelled by an operator after "
                    + job.documentsRead() + " documents in " + counters.chunks() + " chunks; move failed/" + job.id()
                    + ".json back into incoming/ (or ferry ctl retry " + job.id() + ") to run it again",
                    counters.chunks(), 0));
            return;
        }
        drain();
        log.info("{}: stopped after {} documents ({} chunks); it stays in active/ and resumes from its checkpoint",
                job.id(), job.documentsRead(), counters.chunks());
    }

    /** Closes the rejected-records file (idempotent); the job's outcome is written after it. */
    @Override
    public void close() {
        rejects.ifPresent(RecordFile::close);
        verifyList.ifPresent(RecordFile::close);
    }

    /** The document behind {@code ID.result.json}; a follow job's adds the events it applied and the documents they deleted. */
    static Document result(JobSpec spec, Counters c, long documentsRead, Instant startedAt, Instant finishedAt,
                           Optional<FollowState> follow) {
        Document result = new Document("id", spec.id())
                .append("source", spec.source().describe())
                .append("destination", spec.destination().describe())
                .append("mode", spec.mode().word())
                .append("documentsRead", documentsRead)
                .append("inserted", c.inserted())
                .append("matched", c.matched())
                .append("modified", c.modified())
                .append("upserted", c.upserted())
                .append("skipped", c.skipped())
                .append("rejected", c.rejected())
                .append("chunks", c.chunks())
                .append("retries", c.retries())
                .append("startedAt", startedAt.toString())
                .append("finishedAt", finishedAt.toString())
                .append("durationMillis", Duration.between(startedAt, finishedAt).toMillis());
        follow.ifPresent(f -> result.append("eventsApplied", f.eventsApplied()).append("deleted", f.deleted())
                .append("resnapshots", f.resnapshots()));
        if (spec.mode() == dev.ferry.job.WriteMode.DELETE) {
            result.append("deleted", c.deleted());
        }
        if (spec.source() instanceof SourceSpec.File file) {
            switch (file.csv().parseGrace()) {
                case SKIP_FIELD -> result.append("fieldsSkipped", c.graced());
                case AUTO_CAST -> result.append("fieldsAutoCast", c.graced());
                default -> { }
            }
        }
        return result;
    }

    /** The document behind {@code ID.error.json}; {@code id} is null when the file could not be read far enough. */
    static Document error(String id, String kind, String message, long chunk, int attempts, Instant at) {
        return new Document("id", id)
                .append("kind", kind)
                .append("message", message)
                .append("chunk", chunk)
                .append("attempts", attempts)
                .append("at", at.toString());
    }

    /**
     * Where every job's books are kept: the spool, the checkpoints and the daemon's totals. Opens a
     * job's ledger at its resume point, and ends the jobs that never get one (a file rejected before it
     * ran, a waiting job cancelled). Shared by all workers; it holds no job's state.
     */
    static final class Books {
        private final Spool spool;
        private final Checkpoints store;
        private final ExecutorService checkpointIo;
        private final RetryPolicy policy;
        private final RunGate gate;
        private final Clock clock;
        private final Orchestrator.Totals totals;
        private final JobEvents events;
        private final JobPlacement placement;

        /** @param checkpointIo saves checkpoints off the workers' threads (see {@link CheckpointPipeline}) */
        Books(Spool spool, Checkpoints store, ExecutorService checkpointIo, RetryPolicy policy, RunGate gate,
              Clock clock, Orchestrator.Totals totals, JobEvents events) {
            this(spool, store, checkpointIo, policy, gate, clock, totals, events, JobPlacement.LOCAL);
        }

        /** @param placement told a job's outcome before it moves to done/ or failed/ */
        Books(Spool spool, Checkpoints store, ExecutorService checkpointIo, RetryPolicy policy, RunGate gate,
              Clock clock, Orchestrator.Totals totals, JobEvents events, JobPlacement placement) {
            this.placement = placement;
            this.spool = spool;
            this.store = store;
            this.checkpointIo = checkpointIo;
            this.policy = policy;
            this.gate = gate;
            this.clock = clock;
            this.totals = totals;
            this.events = events;
        }

        /**
         * Opens a job's ledger where it resumes: after its own checkpoint if it has one (only of this very
         * job file), else at the first document. Shows a resumed job's earlier progress on its MXBean.
         *
         * @return empty when the job must stop before it could begin (its rejected-records file cannot be opened)
         */
        Optional<JobLedger> open(RunningJob job, JobClaim claim) throws InterruptedException {
            JobSpec spec = job.spec();
            String fingerprint = fingerprint(claim.file());
            Optional<Checkpoint> checkpoint = load(spec.id(), fingerprint);
            checkpoint.ifPresent(job::resumedFrom);
            Progress progress = checkpoint.map(c -> new Progress(c.position(), c.counters())).orElse(Progress.START);
            Optional<FollowState> follow = checkpoint.flatMap(Checkpoint::follow);
            follow.ifPresent(job::follow);
            if (checkpoint.isPresent()) {
                log.info("{}: resuming after {} documents ({} chunks) from its checkpoint", spec.id(),
                        progress.position().documentsRead(), progress.counters().chunks());
            } else {
                log.info("{}: started: {} -> {} ({}, key {}, chunks of {})", spec.id(), spec.source().describe(),
                        spec.destination().describe(), spec.mode().word(), spec.key(), spec.chunkSize());
            }
            job.state(JobState.RUNNING);
            Optional<RecordFile> rejects = Optional.empty();
            if (spec.setsRecordsAside()) {
                long keep = progress.counters().rejected();
                RecordFile[] opened = new RecordFile[1];
                if (!policy.durably(job, "open the rejected-records file",
                        () -> opened[0] = RecordFile.open(spool, spec.id(), keep))) {
                    return Optional.empty();
                }
                if (opened[0].incomplete()) {
                    log.error("{}: {} holds fewer than the {} rejected records its checkpoint counts (changed by "
                            + "hand?); appending to it as it is", spec.id(), opened[0].path(), keep);
                }
                rejects = Optional.of(opened[0]);
            }
            Optional<VerifyState> verify = checkpoint.flatMap(Checkpoint::verify);
            Optional<RecordFile> verifyList = Optional.empty();
            if (spec.verifies()) {
                long keep = verify.map(VerifyState::listed).orElse(0L);
                RecordFile[] opened = new RecordFile[1];
                if (!policy.durably(job, "open the verify list",
                        () -> opened[0] = RecordFile.open(spool, spec.id(), RecordFile.VERIFY, keep))) {
                    rejects.ifPresent(RecordFile::close);
                    return Optional.empty();
                }
                verifyList = Optional.of(opened[0]);
            }
            return Optional.of(new JobLedger(this, job, claim, fingerprint, progress, follow, rejects, verify,
                    verifyList));
        }

        private Optional<Checkpoint> load(String id, String fingerprint) {
            try {
                Optional<Checkpoint> cp = store.load(id);
                if (cp.isPresent() && !cp.get().fingerprint().equals(fingerprint)) {
                    log.warn("{}: ignoring a checkpoint of a different job file with the same id; starting from the "
                            + "first document", id);
                    return Optional.empty();
                }
                return cp;
            } catch (IOException e) {
                log.warn("{}: cannot read its checkpoint ({}); starting from the first document, which is safe "
                        + "because writes are idempotent by key", id, e.toString());
                return Optional.empty();
            }
        }

        private static String fingerprint(Path jobFile) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jobFile));
                return HexFormat.of().formatHex(digest);
            } catch (IOException | NoSuchAlgorithmException e) {
                return "unreadable";
            }
        }

        Spool spool() {
            return spool;
        }

        /** A job file that could not be parsed or validated: to failed/ before it ever ran. */
        void rejected(JobClaim claim, JobRejectedException e) throws InterruptedException {
            String fileName = claim.file().getFileName().toString();
            String id = JobParser.idFromFileName(fileName).filter(JobParser::isValidId).orElse(null);
            String message = fileName + ": " + e.getMessage();
            log.warn("{}: rejected ({}): {}", id == null ? fileName : id, e.kind(), message);
            Document error = error(id, e.kind(), message, 0, 0, clock.instant());
            if (policy.durably(fileName, "move the job to failed/", () -> spool.fail(claim, id, error),
                    gate::isStopping)) {
                totals.failedJobs.increment();
                events.failed(id == null ? fileName : id, e.kind(), message);
            }
        }

        /**
         * A job that ran on another member of the cluster and ended there (docs/cluster.md): its outcome written here,
         * where it was claimed, as if it had run here; a checkpoint of an earlier run here is dropped.
         */
        void endedElsewhere(JobClaim claim, String id, JobPlacement.EndedElsewhere ended) throws InterruptedException {
            String fileName = claim.file().getFileName().toString();
            if (!policy.durably(fileName, "delete the checkpoint", () -> store.delete(id), gate::isStopping)) {
                return;
            }
            if (ended.done()) {
                if (policy.durably(fileName, "move the job to done/", () -> spool.complete(claim, id, ended.outcome()),
                        gate::isStopping)) {
                    totals.completedJobs.increment();
                    log.info("{}: done on another member of the cluster; its result is in done/", id);
                }
            } else if (policy.durably(fileName, "move the job to failed/", () -> spool.fail(claim, id, ended.outcome()),
                    gate::isStopping)) {
                totals.failedJobs.increment();
                log.warn("{}: failed on another member of the cluster ({}); its error is in failed/", id,
                        ended.outcome().getString("kind"));
            }
        }

        /** A job cancelled by an operator while it waited in incoming/, now claimed: to failed/. */
        void cancelledBeforeStart(JobClaim claim, String id) throws IOException {
            String message = "cancelled by an operator before it started";
            spool.fail(claim, id, error(id, JobFailure.CANCELLED, message, 0, 0, clock.instant()));
            totals.failedJobs.increment();
            events.failed(id, JobFailure.CANCELLED, message);
        }
    }
}
