package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.pool.PoolManager;
import dev.ferry.queue.JobClaim;
import dev.ferry.sync.write.EventWriter;
import dev.ferry.sync.retry.RetryPolicy;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.KeyIndex;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
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
 * on the calling worker thread.
 */
final class JobTask {
    private static final Logger log = LoggerFactory.getLogger(JobTask.class);

    /**
     * What every job's loops work with, built once by the orchestrator.
     *
     * @param readAhead        reads each job's next chunk while its current one is written (see {@link ReadAhead})
     * @param lanes            writes the chunks of jobs with more than one lane (see {@link CopyLoop})
     * @param maxBytesInFlight {@code job.maxBytesInFlight}: a job's chunks in flight hold at most this many bytes
     */
    record Stages(PoolManager pools, RetryPolicy policy, ChunkWriter chunkWriter, KeyIndex keyIndex,
                  EventWriter eventWriter, ExecutorService readAhead, ExecutorService lanes, long maxBytesInFlight,
                  Clock clock) {
    }

    private final JobParser parser;
    private final JobLedger.Books books;
    private final Stages stages;
    private final RunGate gate;
    private final Orchestrator.Totals totals;
    private final MBeanRegistrar mbeans;

    JobTask(JobParser parser, JobLedger.Books books, Stages stages, RunGate gate, Orchestrator.Totals totals,
            MBeanRegistrar mbeans) {
        this.parser = parser;
        this.books = books;
        this.stages = stages;
        this.gate = gate;
        this.totals = totals;
        this.mbeans = mbeans;
    }

    /** @param onStart, onEnd see the job while it runs (not called for a job rejected before it started) */
    void run(JobClaim claim, Consumer<RunningJob> onStart, Consumer<RunningJob> onEnd) {
        try (claim) {
            JobSpec spec;
            try {
                spec = parser.parse(claim.file());
            } catch (JobRejectedException e) {
                try {
                    books.rejected(claim, e);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt(); // stopping: the file stays in active/ and is judged again
                }
                return;
            }
            RunningJob job = new RunningJob(spec, stages.clock().instant(), stages.clock(), gate, totals);
            ObjectName bean = MBeanRegistrar.name("Job", spec.id());
            onStart.accept(job);
            mbeans.register(bean, job);
            try {
                runJob(job, claim);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.warn("{}: interrupted; the job stays in active/ and resumes from its checkpoint", spec.id());
            } finally {
                mbeans.unregister(bean);
                onEnd.accept(job);
            }
        }
    }

    private void runJob(RunningJob job, JobClaim claim) throws InterruptedException {
        Optional<JobLedger> opened = books.open(job, claim);
        if (opened.isEmpty()) {
            return; // stopping while the disk was in trouble: the job resumes from its checkpoint
        }
        try (JobLedger ledger = opened.get()) {
            boolean ended;
            try {
                ended = loops(job, ledger);
            } catch (JobFailure failure) {
                ledger.failed(failure);
                return;
            }
            if (ended) {
                ledger.completed();
            } else {
                ledger.stopped();
            }
        }
    }

    /**
     * Runs the job's loops; each releases its source (and a mongodb source's lease) before the job's
     * outcome is written.
     *
     * @return true when the job is complete; false when it must stop (shutdown or cancel)
     */
    private boolean loops(RunningJob job, JobLedger ledger) throws JobFailure, InterruptedException {
        if (!job.spec().follows()) {
            try (CopyLoop copy = CopyLoop.of(job, ledger, stages)) {
                return copy.run();
            }
        }
        try (FollowLoop follow = new FollowLoop(job, ledger, stages)) {
            if (!follow.start()) {
                return false;
            }
            if (!follow.snapshotCopied()) {
                try (CopyLoop snapshot = CopyLoop.of(job, ledger, stages)) {
                    if (!snapshot.run()) {
                        return false;
                    }
                }
            }
            return follow.run();
        }
    }
}
