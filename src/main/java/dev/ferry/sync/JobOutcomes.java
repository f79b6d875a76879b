package dev.ferry.sync;

import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.queue.JobClaim;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.reject.RejectedFiles;
import dev.ferry.sync.checkpoint.Counters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a job ends: in done/, in failed/, or left in active/ to resume; each with its log line. */
final class JobOutcomes {
    private static final Logger log = LoggerFactory.getLogger(JobOutcomes.class);

    private final Spool spool;
    private final CheckpointStore checkpointStore;
    private final Clock clock;
    private final RunGate gate;
    private final DiskRetry disk;
    private final SyncStatistics statistics;
    private final RejectedFiles rejectedFiles;
    private final JobEvents events;

    JobOutcomes(Spool spool, CheckpointStore checkpointStore, Clock clock, RunGate gate, DiskRetry disk,
                SyncStatistics statistics, RejectedFiles rejectedFiles, JobEvents events) {
        this.rejectedFiles = rejectedFiles;
        this.spool = spool;
        this.checkpointStore = checkpointStore;
        this.clock = clock;
        this.gate = gate;
        this.disk = disk;
        this.statistics = statistics;
        this.events = events;
    }

    void completed(RunningJob job, JobClaim claim, JobCheckpoints checkpoints, Progress progress)
            throws InterruptedException {
        JobSpec spec = job.spec();
        if (!checkpoints.drain()) {
            return;
        }
        Instant finished = clock.instant();
        // the rejected records first, then the checkpoint: a crash before the move reruns the job from the
        // start, idempotently, and a rerun from the start begins a new rejected-records file
        if (!disk.durably(job, "move the rejected records to done/", () -> rejectedFiles.finish(spec.id(), true))) {
            return;
        }
        if (!disk.durably(job, "delete the checkpoint", () -> checkpointStore.delete(spec.id()))) {
            return;
        }
        Counters counters = progress.counters();
        long documentsRead = progress.position().documentsRead();
        var result = JobReports.result(spec, counters, documentsRead, job.startedAt(), finished, checkpoints.follow());
        if (!disk.durably(job, "move the job to done/", () -> spool.complete(claim, spec.id(), result))) {
            return;
        }
        statistics.completedJobs.increment();
        log.info("{}: done: {} documents read, {} inserted, {} matched, {} modified, {} upserted, {} skipped, "
                        + "{} rejected, {} chunks, {} retries in {} ms", spec.id(), documentsRead, counters.inserted(),
                counters.matched(), counters.modified(), counters.upserted(), counters.skipped(), counters.rejected(),
                counters.chunks(),
                counters.retries(), Duration.between(job.startedAt(), finished).toMillis());
        checkpoints.follow().ifPresent(f -> log.info("{}: finished following: {} events applied, {} documents deleted",
                spec.id(), f.eventsApplied(), f.deleted()));
        events.done(spec.id(), documentsRead, counters.chunks(), Duration.between(job.startedAt(), finished).toMillis());
    }

    void failed(RunningJob job, JobClaim claim, JobCheckpoints checkpoints, JobFailure failure)
            throws InterruptedException {
        String id = job.id();
        log.error("{}: failed ({}) at chunk {} after {} attempt(s): {}", id, failure.kind(), failure.chunk(),
                failure.attempts(), failure.getMessage());
        job.lastError(failure.getMessage());
        if (!checkpoints.drain()) {
            return;
        }
        if (!disk.durably(job, "move the rejected records to failed/", () -> rejectedFiles.finish(id, false))) {
            return;
        }
        if (!disk.durably(job, "delete the checkpoint", () -> checkpointStore.delete(id))) {
            return;
        }
        Document error = JobReports.error(id, failure.kind(), failure.getMessage(), failure.chunk(),
                failure.attempts(), clock.instant());
        if (disk.durably(job, "move the job to failed/", () -> spool.fail(claim, id, error))) {
            statistics.failedJobs.increment();
            events.failed(id, failure.kind(), failure.getMessage());
        }
    }

    /** Stopped by shutdown it stays in active/; stopped by a cancel it fails. */
    void stopped(RunningJob job, JobClaim claim, JobCheckpoints checkpoints, Counters counters)
            throws InterruptedException {
        if (job.isCancelled() && !gate.isStopping()) {
            failed(job, claim, checkpoints, new JobFailure(JobFailure.CANCELLED, "cancelled by an operator after "
                    + job.documentsRead() + " documents in " + counters.chunks() + " chunks; move failed/" + job.id()
                    + ".json back into incoming/ (or ferry ctl retry " + job.id() + ") to run it again",
                    counters.chunks(), 0));
            return;
        }
        checkpoints.drain();
        log.info("{}: stopped after {} documents ({} chunks); it stays in active/ and resumes from its checkpoint",
                job.id(), job.documentsRead(), counters.chunks());
    }

    /** A job file that could not be parsed or validated: to failed/ before it ever ran. */
    void rejected(JobClaim claim, JobRejectedException e) throws InterruptedException {
        String fileName = claim.file().getFileName().toString();
        String id = JobParser.idFromFileName(fileName).filter(JobParser::isValidId).orElse(null);
        String message = fileName + ": " + e.getMessage();
        log.warn("{}: rejected ({}): {}", id == null ? fileName : id, e.kind(), message);
        Document error = JobReports.error(id, e.kind(), message, 0, 0, clock.instant());
        if (disk.durably(fileName, "move the job to failed/", () -> spool.fail(claim, id, error))) {
            statistics.failedJobs.increment();
            events.failed(id == null ? fileName : id, e.kind(), message);
        }
    }
}
