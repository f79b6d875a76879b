package dev.ferry.sync;

import dev.ferry.pool.PoolManager;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.RetryLoop;
import java.util.concurrent.ExecutorService;

/** Builds each job's {@link ChunkStep} from the services all jobs share. */
final class ChunkSteps {
    private final RunGate gate;
    private final PoolManager pools;
    private final RetryLoop retries;
    private final ChunkWriter writer;
    private final DestinationWait destinationWait;
    private final CheckpointStore checkpointStore;
    private final ExecutorService checkpointIo;
    private final DiskRetry disk;
    private final SyncStatistics statistics;

    ChunkSteps(RunGate gate, PoolManager pools, RetryLoop retries, ChunkWriter writer, DestinationWait destinationWait,
               CheckpointStore checkpointStore, ExecutorService checkpointIo, DiskRetry disk, SyncStatistics statistics) {
        this.gate = gate;
        this.pools = pools;
        this.retries = retries;
        this.writer = writer;
        this.destinationWait = destinationWait;
        this.checkpointStore = checkpointStore;
        this.checkpointIo = checkpointIo;
        this.disk = disk;
        this.statistics = statistics;
    }

    /** @param fingerprint of the job file, stored in every checkpoint (see {@link ResumePoints}) */
    ChunkStep open(RunningJob job, String fingerprint) {
        JobRetries subject = new JobRetries(job, gate, statistics);
        JobCheckpoints checkpoints = new JobCheckpoints(job, fingerprint,
                new CheckpointPipeline(checkpointStore, checkpointIo, job.id()), disk, statistics);
        return new ChunkStep(gate, job, new SourceReader(pools, retries, job.spec(), subject),
                new DestinationWriter(pools, writer, destinationWait, retries, job, subject), checkpoints);
    }
}
