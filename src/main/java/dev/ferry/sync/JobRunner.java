package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.DestinationSpec;
import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.job.SourceSpec;
import dev.ferry.pool.Lease;
import dev.ferry.pool.PoolClosedException;
import dev.ferry.pool.PoolState;
import dev.ferry.queue.JobClaim;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.write.PermanentWriteException;
import dev.ferry.sync.write.WriteOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.management.ObjectName;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed job from its file to done/ or failed/: parse, resume from the checkpoint, then per
 * chunk read, write (retrying transient errors), checkpoint. A chunk is recorded only after the
 * destination acknowledged it, and writes are idempotent by key, so a job stopped anywhere resumes
 * without losing or duplicating a document.
 */
final class JobRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration DOWN_POLL = Duration.ofSeconds(1);

    private final SyncContext ctx;
    private final JobClaim claim;
    private final Consumer<RunningJob> onStart;
    private final Consumer<RunningJob> onEnd;
    private final String fileName;
    private final Retrier retrier;
    /** Set once the job runs; null for a job rejected before that. */
    private CheckpointPipeline checkpoints;

    JobRunner(SyncContext ctx, JobClaim claim, Consumer<RunningJob> onStart, Consumer<RunningJob> onEnd) {
        this.ctx = ctx;
        this.claim = claim;
        this.onStart = onStart;
        this.onEnd = onEnd;
        this.fileName = claim.file().getFileName().toString();
        this.retrier = new Retrier(ctx);
    }

    @Override
    public void run() {
        JobSpec spec;
        try {
            spec = ctx.parser().parse(claim.file());
        } catch (JobRejectedException e) {
            rejected(e);
            return;
        }
        RunningJob job = new RunningJob(spec, ctx.clock().instant());
        ObjectName bean = MBeanRegistrar.name("Job", spec.id());
        onStart.accept(job);
        ctx.mbeans().register(bean, job);
        try {
            runJob(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: interrupted; the job stays in active/ and resumes from its checkpoint", spec.id());
        } finally {
            ctx.mbeans().unregister(bean);
            claim.close();
            onEnd.accept(job);
        }
    }

    private void rejected(JobRejectedException e) {
        String id = JobParser.idFromFileName(fileName).filter(JobParser::isValidId).orElse(null);
        String message = fileName + ": " + e.getMessage();
        log.warn("{}: rejected ({}): {}", id == null ? fileName : id, e.kind(), message);
        try {
            moveToFailed(null, id, JobReports.error(id, e.kind(), message, 0, 0, ctx.clock().instant()));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            claim.close();
        }
    }

    private void runJob(RunningJob job) throws InterruptedException {
        JobSpec spec = job.spec();
        String fingerprint = fingerprint();
        Optional<Checkpoint> checkpoint = loadCheckpoint(spec.id(), fingerprint);
        checkpoint.ifPresent(job::resumedFrom);
        Position position = checkpoint.map(Checkpoint::position).orElse(Position.START);
        Counters counters = checkpoint.map(Checkpoint::counters).orElse(Counters.ZERO);
        if (checkpoint.isPresent()) {
            log.info("{}: resuming after {} documents ({} chunks) from its checkpoint", spec.id(),
                    position.documentsRead(), counters.chunks());
        } else {
            log.info("{}: started: {} -> {} ({}, key {}, chunks of {})", spec.id(), spec.source().describe(),
                    spec.destination().describe(), spec.mode().word(), spec.key(), spec.chunkSize());
        }
        job.state(JobState.RUNNING);
        checkpoints = new CheckpointPipeline(ctx.checkpoints(), ctx.checkpointIo(), spec.id());
        try (SourceHandle source = new SourceHandle(ctx, spec, retrier)) {
            while (true) {
                if (!ctx.gate().awaitRunnable(job)) {
                    stopped(job, counters);
                    return;
                }
                List<BsonDocument> chunk = source.nextChunk(position, job, counters.chunks() + 1);
                if (chunk == null) {
                    stopped(job, counters);
                    return;
                }
                if (chunk.isEmpty()) {
                    break;
                }
                ChunkResult written = writeChunk(job, chunk, counters.chunks() + 1);
                if (written == null) {
                    stopped(job, counters);
                    return;
                }
                counters = counters.plusChunk(written.outcome()).plusRetries(written.retries());
                position = source.position();
                Checkpoint cp = new Checkpoint(spec.id(), fingerprint, position, counters, job.startedAt());
                if (!durably(job, "write the checkpoint of chunk " + counters.chunks(),
                        () -> checkpoints.submit(cp))) {
                    stopped(job, counters);
                    return;
                }
                job.progress(counters, position.documentsRead());
                ctx.statistics().chunksWritten.increment();
                ctx.statistics().documentsWritten.add(chunk.size());
            }
        } catch (JobFailure failure) {
            failed(job, failure);
            return;
        }
        completed(job, counters, position);
    }

    /** One chunk, retried on transient errors. @return null if the job must stop */
    private ChunkResult writeChunk(RunningJob job, List<BsonDocument> chunk, long chunkNo)
            throws JobFailure, InterruptedException {
        DestinationSpec dest = job.spec().destination();
        int attempt = 0;
        while (true) {
            if (!awaitDestination(job, dest.connection())) {
                return null;
            }
            attempt++;
            try (Lease lease = ctx.pools().lease(dest.connection())) {
                WriteOutcome outcome = ctx.writer().write(lease.collection(dest.database(), dest.collection()),
                        chunk, job.spec().mode(), job.spec().key());
                job.state(JobState.RUNNING);
                return new ChunkResult(outcome, attempt - 1);
            } catch (PermanentWriteException e) {
                throw new JobFailure(JobFailure.WRITE_ERROR, "chunk " + chunkNo + ": " + retrier.scrub(e.getMessage()),
                        chunkNo, attempt);
            } catch (PoolClosedException e) {
                return null; // shutting down: the chunk was not acknowledged and is written again on resume
            } catch (RuntimeException e) {
                if (ctx.gate().isStopping()) {
                    return null;
                }
                if (!ctx.classifier().isTransient(e)) {
                    throw new JobFailure(JobFailure.WRITE_ERROR, "chunk " + chunkNo + ": "
                            + retrier.scrub(ctx.classifier().describe(e)), chunkNo, attempt);
                }
                if (!retrier.retryAfter(job, e, chunkNo, attempt)) {
                    return null;
                }
            }
        }
    }

    /** A DOWN destination is waited for, not hammered; waiting uses no attempt. */
    private boolean awaitDestination(RunningJob job, String connection) throws InterruptedException {
        boolean logged = false;
        while (ctx.pools().pool(connection).state() == PoolState.DOWN) {
            if (!logged) {
                log.warn("{}: destination {} is DOWN; waiting for it to answer health checks", job.id(), connection);
                logged = true;
            }
            job.state(JobState.WAITING_FOR_DESTINATION);
            if (!ctx.gate().sleep(DOWN_POLL, job)) {
                return false;
            }
        }
        return ctx.gate().awaitRunnable(job);
    }

    private void completed(RunningJob job, Counters counters, Position position) throws InterruptedException {
        JobSpec spec = job.spec();
        if (!drainCheckpoints(job)) {
            return;
        }
        Instant finished = ctx.clock().instant();
        // the checkpoint goes first: a crash before the move reruns the job from the start, idempotently
        if (!durably(job, "delete the checkpoint", () -> ctx.checkpoints().delete(spec.id()))) {
            return;
        }
        var result = JobReports.result(spec, counters, position.documentsRead(), job.startedAt(), finished);
        if (!durably(job, "move the job to done/", () -> ctx.spool().complete(claim, spec.id(), result))) {
            return;
        }
        ctx.statistics().completedJobs.increment();
        log.info("{}: done: {} documents read, {} inserted, {} matched, {} modified, {} upserted, {} skipped, "
                        + "{} chunks, {} retries in {} ms", spec.id(), position.documentsRead(), counters.inserted(),
                counters.matched(), counters.modified(), counters.upserted(), counters.skipped(), counters.chunks(),
                counters.retries(), Duration.between(job.startedAt(), finished).toMillis());
    }

    private void failed(RunningJob job, JobFailure failure) throws InterruptedException {
        String id = job.id();
        log.error("{}: failed ({}) at chunk {} after {} attempt(s): {}", id, failure.kind(), failure.chunk(),
                failure.attempts(), failure.getMessage());
        job.lastError(failure.getMessage());
        if (!drainCheckpoints(job)) {
            return;
        }
        if (!durably(job, "delete the checkpoint", () -> ctx.checkpoints().delete(id))) {
            return;
        }
        moveToFailed(job, id, JobReports.error(id, failure.kind(), failure.getMessage(), failure.chunk(),
                failure.attempts(), ctx.clock().instant()));
    }

    private void moveToFailed(RunningJob job, String id, org.bson.Document error) throws InterruptedException {
        if (durably(job, "move the job to failed/", () -> ctx.spool().fail(claim, id, error))) {
            ctx.statistics().failedJobs.increment();
        }
    }

    private void stopped(RunningJob job, Counters counters) throws InterruptedException {
        if (job.isCancelled() && !ctx.gate().isStopping()) {
            failed(job, new JobFailure(JobFailure.CANCELLED, "cancelled by an operator after " + job.documentsRead()
                    + " documents in " + counters.chunks() + " chunks; move failed/" + job.id()
                    + ".json back into incoming/ (or ferry ctl retry " + job.id() + ") to run it again",
                    counters.chunks(), 0));
            return;
        }
        drainCheckpoints(job);
        log.info("{}: stopped after {} documents ({} chunks); it stays in active/ and resumes from its checkpoint",
                job.id(), job.documentsRead(), counters.chunks());
    }

    /** The last checkpoint on disk before it is deleted or the job stops: a save in flight never outlives the job. */
    private boolean drainCheckpoints(RunningJob job) throws InterruptedException {
        return checkpoints == null || durably(job, "write the last checkpoint", checkpoints::drain);
    }

    /** Retries a disk write until it works or the job must stop: a full or read-only disk loses no job. */
    private boolean durably(RunningJob job, String what, IoAction action) throws InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                action.run();
                if (job != null && job.state() == JobState.WAITING_FOR_DISK) {
                    log.info("{}: disk writable again; could {}", job.id(), what);
                    job.state(JobState.RUNNING);
                }
                return true;
            } catch (IOException e) {
                attempt++;
                Duration delay = ctx.backoff().nominal(Math.min(attempt, 30));
                String name = job == null ? fileName : job.id();
                log.error("{}: cannot {}: {}; the job is kept and this is retried in {} ms (check free space and "
                        + "permissions of the spool and state directories)", name, what, e.toString(), delay.toMillis());
                if (job != null) {
                    // the error first: whoever sees WAITING_FOR_DISK must find the reason beside it
                    job.lastError("cannot " + what + ": " + e);
                    job.state(JobState.WAITING_FOR_DISK);
                    if (!ctx.gate().sleep(delay, job)) {
                        return false;
                    }
                } else {
                    if (ctx.gate().isStopping()) {
                        return false;
                    }
                    Thread.sleep(delay.toMillis());
                }
            }
        }
    }

    private Optional<Checkpoint> loadCheckpoint(String id, String fingerprint) {
        try {
            Optional<Checkpoint> cp = ctx.checkpoints().load(id);
            if (cp.isPresent() && !cp.get().fingerprint().equals(fingerprint)) {
                log.warn("{}: ignoring a checkpoint of a different job file with the same id; starting from the "
                        + "first document", id);
                return Optional.empty();
            }
            return cp;
        } catch (IOException e) {
            log.warn("{}: cannot read its checkpoint ({}); starting from the first document, which is safe because "
                    + "writes are idempotent by key", id, e.toString());
            return Optional.empty();
        }
    }

    private String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(claim.file()));
            return HexFormat.of().formatHex(digest);
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unreadable";
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException, InterruptedException;
    }

    private record ChunkResult(WriteOutcome outcome, int retries) {
    }
}
