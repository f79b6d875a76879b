package dev.ferry.sync;

import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.follow.FollowState;
import java.util.Optional;

/** One job's checkpoints: one per acknowledged chunk, and the last one on disk before the job ends. */
final class JobCheckpoints {
    private final RunningJob job;
    private final String fingerprint;
    private final CheckpointPipeline pipeline;
    private final DiskRetry disk;
    private final SyncStatistics statistics;
    private Optional<FollowState> follow = Optional.empty();

    JobCheckpoints(RunningJob job, String fingerprint, CheckpointPipeline pipeline, DiskRetry disk,
                   SyncStatistics statistics) {
        this.job = job;
        this.fingerprint = fingerprint;
        this.pipeline = pipeline;
        this.disk = disk;
        this.statistics = statistics;
    }

    /**
     * Records an acknowledged chunk of {@code documents} documents that brought the job to {@code progress}.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean record(Progress progress, int documents) throws InterruptedException {
        Checkpoint checkpoint = checkpoint(progress);
        if (!disk.durably(job, "write the checkpoint of chunk " + progress.counters().chunks(),
                () -> pipeline.submit(checkpoint))) {
            return false;
        }
        job.progress(progress.counters(), progress.position().documentsRead());
        statistics.chunksWritten.increment();
        statistics.documentsWritten.add(documents);
        return true;
    }

    /**
     * A follow job's state, saved now and waited for: its stream's start point must be on disk before
     * the copy writes anything, or a restart would open a later stream and miss the deletes in between.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean saveNow(Progress progress, FollowState state) throws InterruptedException {
        follow = Optional.of(state);
        Checkpoint checkpoint = checkpoint(progress);
        return disk.durably(job, "write the checkpoint", () -> {
            pipeline.submit(checkpoint);
            pipeline.drain();
        });
    }

    /**
     * Records a batch of change events the destination acknowledged, as durably as a chunk.
     *
     * @return false if the job must stop before the checkpoint could be written
     */
    boolean recordBatch(Progress progress, FollowState state) throws InterruptedException {
        follow = Optional.of(state);
        Checkpoint checkpoint = checkpoint(progress);
        return disk.durably(job, "write the checkpoint after " + state.eventsApplied() + " events",
                () -> pipeline.submit(checkpoint));
    }

    /** A follow job's state as last recorded (the snapshot's checkpoints carry it too); empty for a copy job. */
    Optional<FollowState> follow() {
        return follow;
    }

    /** Carries a resumed follow job's saved state into its next checkpoints. */
    void follow(FollowState state) {
        follow = Optional.of(state);
    }

    private Checkpoint checkpoint(Progress progress) {
        return new Checkpoint(job.id(), fingerprint, progress.position(), progress.counters(), job.startedAt(), follow);
    }

    /** The last checkpoint on disk before it is deleted or the job stops: a save in flight never outlives the job. */
    boolean drain() throws InterruptedException {
        return disk.durably(job, "write the last checkpoint", pipeline::drain);
    }
}
