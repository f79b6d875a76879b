package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.pool.PoolManager;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.checkpoint.Checkpoints;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * The long-lived services the orchestrator works with, built once by the daemon.
 *
 * @param checkpointIo saves checkpoints off the workers' threads (see {@link CheckpointPipeline}); owned by the daemon
 * @param readAhead    reads each job's next chunk while its current one is written (see {@link ReadAhead});
 *                     owned by the daemon
 * @param lanes        writes the chunks of jobs with more than one lane (see {@link CopyLoop}): its threads are
 *                     at most the lanes of the jobs running; owned by the daemon
 * @param followers    a thread for each follow job that copied its snapshot and follows; owned by the daemon
 * @param placement    where a job runs: here, or on another member of a cluster ({@link JobPlacement#LOCAL} alone)
 */
public record SyncServices(Spool spool, PoolManager pools, Checkpoints checkpoints, ExecutorService checkpointIo,
                           ExecutorService readAhead, ExecutorService lanes, ExecutorService followers, Clock clock,
                           MBeanRegistrar mbeans, JobPlacement placement) {

    /** A daemon alone: every job runs where it was claimed. */
    public SyncServices(Spool spool, PoolManager pools, Checkpoints checkpoints, ExecutorService checkpointIo,
                        ExecutorService readAhead, ExecutorService lanes, ExecutorService followers, Clock clock,
                        MBeanRegistrar mbeans) {
        this(spool, pools, checkpoints, checkpointIo, readAhead, lanes, followers, clock, mbeans, JobPlacement.LOCAL);
    }

    public SyncServices {
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(checkpointIo, "checkpointIo");
        Objects.requireNonNull(readAhead, "readAhead");
        Objects.requireNonNull(lanes, "lanes");
        Objects.requireNonNull(followers, "followers");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(mbeans, "mbeans");
        Objects.requireNonNull(placement, "placement");
    }
}
