package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.pool.PoolManager;
import dev.ferry.queue.JobClaim;
import dev.ferry.sync.write.EventWriter;
import dev.ferry.sync.checkpoint.VerifyState;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.KeyIndex;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's life from its file to done/ or failed/: parse it, open its ledger where it resumes, run its
 * loops (a follow job records its stream's start, copies its snapshot, then follows), and end it as
 * the loops came out: completed, stopped (it stays in active/) or failed.
 *
 * <p>Threading: shared by all workers and holds no job's state; each call of {@link #run} runs one job
 * on the calling worker thread, and a follow job that copied its snapshot then follows on a thread of
 * the followers' executor, so that {@code workers} bounds the copies only.
 */
final class JobTask {
    private static final Logger log = LoggerFactory.getLogger(JobTask.class);

    /**
     * What every job's loops work with, built once by the orchestrator.
     *
     * @param readAhead        reads each job's next chunk while its current one is written (see {@link ReadAhead})
     * @param lanes            writes the chunks of jobs with more than one lane (see {@link CopyLoop})
     * @param maxBytesInFlight {@code job.maxBytesInFlight}: a job's chunks in flight hold at most this many bytes
     * @param followers        a thread for each follow job that copied its snapshot and follows
     * @param verifyMaxListed  {@code verify.maxListed}: keys a comparison lists at most
     */
    record Stages(PoolManager pools, RetryPolicy policy, ChunkWriter chunkWriter, KeyIndex keyIndex,
                  EventWriter eventWriter, ExecutorService readAhead, ExecutorService lanes, long maxBytesInFlight,
                  ExecutorService followers, Clock clock, long verifyMaxListed) {
    }

    private final JobParser parser;
    private final JobLedger.Books books;
    private final Stages stages;
    private final RunGate gate;
    private final Orchestrator.Totals totals;
    private final MBeanRegistrar mbeans;
    private final JobPlacement placement;

    JobTask(JobParser parser, JobLedger.Books books, Stages stages, RunGate gate, Orchestrator.Totals totals,
            MBeanRegistrar mbeans, JobPlacement placement) {
        this.placement = placement;
        this.parser = parser;
        this.books = books;
        this.stages = stages;
        this.gate = gate;
        this.totals = totals;
        this.mbeans = mbeans;
    }

    /**
     * Runs one claimed job on the calling worker thread. A follow job whose snapshot is copied goes on
     * following on a thread of its own and this returns, so that the worker takes other jobs: the job
     * ends (its outcome, {@code onEnd}, its claim released) on that thread.
     *
     * @param claimedNow true for a file just claimed from incoming/, false for one found in active/
     * @param onStart, onEnd see the job while it runs (not called for a job rejected before it started)
     */
    void run(JobClaim claim, Consumer<RunningJob> onStart, Consumer<RunningJob> onEnd) {
        run(claim, true, onStart, onEnd);
    }

    void run(JobClaim claim, boolean claimedNow, Consumer<RunningJob> onStart, Consumer<RunningJob> onEnd) {
        JobSpec spec;
        try {
            spec = parser.parse(claim.file());
        } catch (JobRejectedException e) {
            reject(claim, e);
            return;
        }
        JobPlacement.Placement where = placement.place(spec, claim.file(), claimedNow);
        if (where instanceof JobPlacement.Refused refused) {
            reject(claim, refused.why());
            return;
        }
        if (where instanceof JobPlacement.Elsewhere elsewhere) {
            log.info("{}: {}; its file stays in active/", spec.id(), elsewhere.why());
            claim.close();
            return;
        }
        if (where instanceof JobPlacement.EndedElsewhere ended) {
            try {
                books.endedElsewhere(claim, spec.id(), ended);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopping: the file stays in active/ and is looked at again
            } finally {
                claim.close();
            }
            return;
        }
        RunningJob job = new RunningJob(spec, stages.clock().instant(), stages.clock(), gate, totals);
        job.runsHereWhile(((JobPlacement.Here) where).holds());
        ObjectName bean = MBeanRegistrar.name("Job", spec.id());
        onStart.accept(job);
        mbeans.register(bean, job);
        Runnable end = () -> {
            mbeans.unregister(bean);
            onEnd.accept(job);
            claim.close();
        };
        boolean handedOver = false;
        try {
            handedOver = runJob(job, claim, end);
        } catch (InterruptedException e) {
            interrupted(job);
        } catch (RuntimeException e) {
            // a defect of ferry's, not the job's: as a follow job's (see follow), it keeps its checkpoint
            log.error("{}: stopped by an unexpected error; the job stays in active/ and resumes from its checkpoint "
                    + "at the next start", job.id(), e);
        } finally {
            if (!handedOver) {
                end.run();
            }
        }
    }

    /** A job file that cannot run: to failed/ before it ever started, its claim released. */
    private void reject(JobClaim claim, JobRejectedException e) {
        try {
            books.rejected(claim, e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt(); // stopping: the file stays in active/ and is judged again
        } finally {
            claim.close();
        }
    }

    private static void interrupted(RunningJob job) {
        Thread.currentThread().interrupt();
        log.warn("{}: interrupted; the job stays in active/ and resumes from its checkpoint", job.id());
    }

    /** @return true when a follow job follows on its own thread, which then ends it with {@code end} */
    private boolean runJob(RunningJob job, JobClaim claim, Runnable end) throws InterruptedException {
        Optional<JobLedger> opened = books.open(job, claim);
        if (opened.isEmpty()) {
            return false; // stopping while the disk was in trouble: the job resumes from its checkpoint
        }
        JobLedger ledger = opened.get();
        boolean handedOver = false;
        try {
            if (!job.spec().follows()) {
                boolean copied = true;
                try {
                    // a job whose comparison began copied everything before it
                    if (!job.spec().onlyVerifies() && ledger.verify().isEmpty()) {
                        copied = copy(job, ledger);
                    }
                } catch (JobFailure failure) {
                    ledger.failed(failure);
                    return false;
                }
                end(job, ledger, copied, stages);
                return false;
            }
            FollowLoop follow = new FollowLoop(job, ledger, stages);
            boolean snapshot;
            try {
                snapshot = snapshot(job, ledger, follow);
            } catch (JobFailure failure) {
                follow.close();
                ledger.failed(failure);
                return false;
            }
            if (!snapshot) {
                follow.close();
                ledger.stopped();
                return false;
            }
            try {
                stages.followers().execute(() -> follow(job, ledger, follow, end));
                handedOver = true;
                return true;
            } catch (RejectedExecutionException stopping) {
                follow.close();
                ledger.stopped();
                return false;
            }
        } finally {
            if (!handedOver) {
                ledger.close();
            }
        }
    }

    /**
     * A follow job's start: its stream's start point recorded, then its snapshot copied (unless an
     * earlier run copied it); the copy releases its source before the job follows.
     *
     * @return false if the job must stop
     */
    private boolean snapshot(RunningJob job, JobLedger ledger, FollowLoop follow) throws JobFailure, InterruptedException {
        if (!follow.start()) {
            return false;
        }
        if (follow.snapshotCopied()) {
            // indexes are built before following; a job stopped in between builds the rest now
            IndexCopy indexes = new IndexCopy(job, stages);
            return !job.spec().copyIndexes() || indexes.applyValidator() && indexes.buildIndexes();
        }
        return copy(job, ledger);
    }

    /**
     * A copy (or a follow job's snapshot): with a mongodb source's indexes, a new destination collection
     * is created with the source's options first, and the indexes are built once the copy is complete.
     *
     * @return false if the job must stop
     */
    private boolean copy(RunningJob job, JobLedger ledger) throws JobFailure, InterruptedException {
        IndexCopy indexes = job.spec().copyIndexes() ? new IndexCopy(job, stages) : null;
        if (indexes != null && ledger.progress().equals(JobLedger.Progress.START) && !indexes.createCollection()) {
            return false;
        }
        try (CopyLoop<?> copy = CopyLoop.of(job, ledger, stages)) {
            if (!copy.run()) {
                return false;
            }
        }
        if (ledger.follow().map(FollowState::cleaning).orElse(false) && !CopyLoop.deleteBeyond(job, ledger, stages)) {
            return false;
        }
        return indexes == null || indexes.applyValidator() && indexes.buildIndexes();
    }

    /**
     * Starts a comparison beside a following job, on a follower thread (see {@link FollowVerify}).
     *
     * @return why it cannot start, or empty when it started
     */
    Optional<String> verifyBeside(RunningJob job) {
        Optional<String> refusal = FollowVerify.refusal(job);
        if (refusal.isPresent()) {
            return refusal;
        }
        if (!job.startVerifyBeside()) {
            return Optional.of(job.id() + " is being compared already: see its Verified attribute");
        }
        try {
            stages.followers().execute(new FollowVerify(job, stages,
                    books.spool().active().resolve(job.id() + ".verify.ndjson")));
            return Optional.empty();
        } catch (RejectedExecutionException stopping) {
            job.endVerifyBeside();
            return Optional.of("the daemon is stopping");
        }
    }

    /** A follow job after its snapshot, on a follower thread: follows until finish, cancel or shutdown, then ends. */
    private void follow(RunningJob job, JobLedger ledger, FollowLoop first, Runnable end) {
        try (ledger) {
            FollowLoop loop = first;
            long appliedAtResnapshot = -1;
            boolean finished;
            while (true) {
                String lost;
                try (FollowLoop following = loop) {
                    // a job whose comparison began had finished following
                    finished = ledger.verify().isPresent() || following.run();
                    break;
                } catch (JobFailure failure) {
                    // a fresh snapshot whose own stream is lost before any event: the source keeps too little history
                    if (!failure.kind().equals(JobFailure.RESUME_LOST) || !job.spec().resnapshot()
                            || job.getEventsApplied() == appliedAtResnapshot) {
                        ledger.failed(failure);
                        return;
                    }
                    lost = failure.getMessage().split("; changes made", 2)[0]; // not its advice to resubmit
                }
                appliedAtResnapshot = job.getEventsApplied();
                loop = new FollowLoop(job, ledger, stages);
                try {
                    if (!loop.restart(lost) || !copy(job, ledger)) {
                        loop.close();
                        ledger.stopped();
                        return;
                    }
                } catch (JobFailure failure) {
                    loop.close();
                    ledger.failed(failure);
                    return;
                }
            }
            end(job, ledger, finished, stages);
        } catch (InterruptedException e) {
            interrupted(job);
        } catch (RuntimeException e) {
            log.error("{}: following stopped by an unexpected error; the job stays in active/ and resumes from "
                    + "its checkpoint at the next start", job.id(), e);
        } finally {
            end.run();
        }
    }

    /**
     * Writes the outcome of a job whose loops are closed: done/ when complete (and, if it verifies, equal
     * to its source; failed/ {@code verify-mismatch} if not), else stopped or cancelled.
     */
    private static void end(RunningJob job, JobLedger ledger, boolean complete, Stages stages)
            throws InterruptedException {
        if (!complete) {
            ledger.stopped();
            return;
        }
        if (job.spec().verifies()) {
            try {
                if (!new VerifyLoop(job, ledger, stages).run()) {
                    ledger.stopped();
                    return;
                }
            } catch (JobFailure failure) {
                ledger.failed(failure);
                return;
            }
            job.verifyEnded();
            VerifyState found = ledger.verify().orElseThrow();
            if (!found.equalSoFar()) {
                ledger.failed(new JobFailure(JobFailure.VERIFY_MISMATCH, "the destination differs from the source: "
                        + found.missing() + " missing, " + found.extra() + " extra, " + found.different()
                        + " different of " + found.compared() + " source documents compared; the keys (up to "
                        + "verify.maxListed) are in failed/" + job.id() + ".verify.ndjson", 0, 0));
                return;
            }
        }
        ledger.completed();
    }
}
