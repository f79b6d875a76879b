package dev.ferry.sync;

import dev.ferry.job.OnInvalid;
import dev.ferry.pool.PoolManager;
import dev.ferry.sync.reject.RejectedFiles;
import dev.ferry.sync.checkpoint.CheckpointPipeline;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.KeyIndex;
import dev.ferry.sync.write.RetryLoop;
import java.util.Optional;
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
    private final ExecutorService readAhead;
    private final DiskRetry disk;
    private final SyncStatistics statistics;
    private final KeyIndex keyIndex;
    private final RejectedFiles rejectedFiles;

    ChunkSteps(RunGate gate, PoolManager pools, RetryLoop retries, ChunkWriter writer, KeyIndex keyIndex,
               DestinationWait destinationWait, CheckpointStore checkpointStore, ExecutorService checkpointIo,
               ExecutorService readAhead, DiskRetry disk, SyncStatistics statistics, RejectedFiles rejectedFiles) {
        this.readAhead = readAhead;
        this.keyIndex = keyIndex;
        this.rejectedFiles = rejectedFiles;
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

    /**
     * @param start where the job resumes; its fingerprint is stored in every checkpoint (see {@link ResumePoints})
     * @return empty when the job must stop before it could begin (its rejected-records file cannot be opened)
     */
    Optional<ChunkStep> open(RunningJob job, ResumePoint start) throws InterruptedException {
        RejectedRecords rejects = RejectedRecords.NONE;
        if (job.spec().onInvalid() == OnInvalid.SKIP) {
            Optional<RejectedRecords> file = JobRejects.open(job, disk, rejectedFiles,
                    start.progress().counters().rejected());
            if (file.isEmpty()) {
                return Optional.empty();
            }
            rejects = file.get();
        }
        JobRetries subject = new JobRetries(job, gate, statistics);
        JobCheckpoints checkpoints = new JobCheckpoints(job, start.fingerprint(),
                new CheckpointPipeline(checkpointStore, checkpointIo, job.id()), disk, statistics);
        ChunkReads reads = new ReadAhead(new SourceReader(pools, retries, job.spec(), subject), readAhead, job.id());
        return Optional.of(new ChunkStep(gate, job, reads,
                new DestinationWriter(pools, writer, keyIndex, destinationWait, retries, job, subject), checkpoints,
                rejects));
    }
}
