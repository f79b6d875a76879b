package dev.ferry.sync;

import dev.ferry.pool.PoolManager;
import dev.ferry.sync.follow.EventWriter;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.Phase;
import dev.ferry.sync.follow.StreamPoint;
import dev.ferry.sync.write.Retried;
import dev.ferry.sync.write.RetryLoop;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a follow job adds to a copy job: its change stream's start point recorded before the snapshot,
 * and the {@link FollowLoop} after it. Shared by all jobs; a copy job passes through untouched.
 */
final class FollowSteps {
    private static final Logger log = LoggerFactory.getLogger(FollowSteps.class);

    private final RunGate gate;
    private final PoolManager pools;
    private final RetryLoop retries;
    private final EventWriter writer;
    private final DestinationWait waits;
    private final SyncStatistics statistics;
    private final Clock clock;

    FollowSteps(RunGate gate, PoolManager pools, RetryLoop retries, EventWriter writer, DestinationWait waits,
                SyncStatistics statistics, Clock clock) {
        this.gate = gate;
        this.pools = pools;
        this.retries = retries;
        this.writer = writer;
        this.waits = waits;
        this.statistics = statistics;
        this.clock = clock;
    }

    /**
     * Where the job's chunk loop starts: {@link Step.Written} to copy on from {@code start}, or
     * {@link Step.Exhausted} for a follow job whose snapshot is already done. A fresh follow job first
     * opens its change stream and saves where it starts, so that every change made during the copy
     * is applied after it.
     */
    Step prepare(RunningJob job, JobCheckpoints checkpoints, ResumePoint start) throws InterruptedException {
        if (!job.spec().follows()) {
            return new Step.Written(start.progress());
        }
        Optional<FollowState> saved = start.follow();
        if (saved.isPresent()) {
            checkpoints.follow(saved.get());
            job.follow(saved.get());
            log.info("{}: resuming in phase {}, change stream from {}", job.id(), saved.get().phase(),
                    saved.get().point().describe());
            return saved.get().phase() == Phase.FOLLOWING ? new Step.Exhausted(start.progress())
                    : new Step.Written(start.progress());
        }
        try (StreamReader reader = reader(job)) {
            Retried<StreamPoint> point = reader.startPoint();
            if (!(point instanceof Retried.Done<StreamPoint> opened)) {
                return new Step.Stopped(start.progress());
            }
            FollowState state = FollowState.snapshot(opened.value());
            job.follow(state);
            // a checkpoint without a follow state would restart the copy from Progress.START anyway
            if (!checkpoints.saveNow(Progress.START, state)) {
                return new Step.Stopped(Progress.START);
            }
            log.info("{}: change stream opened at {} before the snapshot copy", job.id(), opened.value().describe());
            return new Step.Written(Progress.START);
        } catch (JobFailure failure) {
            return new Step.Failed(failure);
        }
    }

    /** Follows the source after its snapshot until finish, cancel, shutdown or a failure. */
    Step follow(RunningJob job, JobCheckpoints checkpoints, Progress snapshotEnd) throws InterruptedException {
        JobRetries subject = new JobRetries(job, gate, statistics);
        EventApplier applier = new EventApplier(pools, writer, waits, retries, job, subject);
        try (FollowLoop loop = new FollowLoop(gate, job, reader(job), applier, checkpoints, clock)) {
            return loop.run(snapshotEnd);
        }
    }

    private StreamReader reader(RunningJob job) {
        return new StreamReader(pools, retries, waits, job, new JobRetries(job, gate, statistics), clock);
    }
}
