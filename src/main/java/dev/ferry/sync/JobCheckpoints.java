package dev.ferry.sync;

import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.CheckpointPipeline;

/** One job's checkpoints: one per acknowledged chunk, and the last one on disk before the job ends. */
final class JobCheckpoints {
    private final RunningJob job;
    private final String fingerprint;
    private final CheckpointPipeline pipeline;
    private final DiskRetry disk;
    private final SyncStatistics statistics;

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
        Checkpoint checkpoint = new Checkpoint(job.id(), fingerprint, progress.position(), progress.counters(),
                job.startedAt());
        if (!disk.durably(job, "write the checkpoint of chunk " + progress.counters().chunks(),
                () -> pipeline.submit(checkpoint))) {
            return false;
        }
        job.progress(progress.counters(), progress.position().documentsRead());
        statistics.chunksWritten.increment();
        statistics.documentsWritten.add(documents);
        return true;
    }

    /** The last checkpoint on disk before it is deleted or the job stops: a save in flight never outlives the job. */
    boolean drain() throws InterruptedException {
        return disk.durably(job, "write the last checkpoint", pipeline::drain);
    }
}
