package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import dev.ferry.queue.JobClaim;
import java.time.Clock;
import java.util.function.Consumer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed job from its file to done/ or failed/: parse, find where to resume, take chunk
 * steps until one ends the job, then write the outcome. Shared by all workers; a job's state lives
 * in the objects it builds for that job.
 */
final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobParser parser;
    private final Clock clock;
    private final MBeanRegistrar mbeans;
    private final ResumePoints resumePoints;
    private final ChunkSteps chunkSteps;
    private final JobOutcomes outcomes;

    JobRunner(JobParser parser, Clock clock, MBeanRegistrar mbeans, ResumePoints resumePoints, ChunkSteps chunkSteps,
              JobOutcomes outcomes) {
        this.parser = parser;
        this.clock = clock;
        this.mbeans = mbeans;
        this.resumePoints = resumePoints;
        this.chunkSteps = chunkSteps;
        this.outcomes = outcomes;
    }

    /** @param onStart, onEnd see the job while it runs (not called for a job rejected before it started) */
    void run(JobClaim claim, Consumer<RunningJob> onStart, Consumer<RunningJob> onEnd) {
        JobSpec spec;
        try {
            spec = parser.parse(claim.file());
        } catch (JobRejectedException e) {
            rejected(claim, e);
            return;
        }
        RunningJob job = new RunningJob(spec, clock.instant(), clock);
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
            claim.close();
            onEnd.accept(job);
        }
    }

    private void rejected(JobClaim claim, JobRejectedException e) {
        try {
            outcomes.rejected(claim, e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } finally {
            claim.close();
        }
    }

    private void runJob(RunningJob job, JobClaim claim) throws InterruptedException {
        ResumePoint start = resumePoints.find(job, claim.file());
        job.state(JobState.RUNNING);
        Step end;
        JobCheckpoints checkpoints;
        // the source (and a mongodb source's lease) is released before the outcome is written
        try (ChunkStep chunks = chunkSteps.open(job, start.fingerprint())) {
            checkpoints = chunks.checkpoints();
            Step step = chunks.take(start.progress());
            while (step instanceof Step.Written written) {
                step = chunks.take(written.progress());
            }
            end = step;
        }
        if (end instanceof Step.Exhausted exhausted) {
            outcomes.completed(job, claim, checkpoints, exhausted.progress());
        } else if (end instanceof Step.Stopped stopped) {
            outcomes.stopped(job, claim, checkpoints, stopped.progress().counters());
        } else if (end instanceof Step.Failed failed) {
            outcomes.failed(job, claim, checkpoints, failed.failure());
        }
    }
}
