package dev.ferry.sync;

import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.job.JobParser;
import dev.ferry.pool.PoolManager;
import dev.ferry.queue.Spool;
import dev.ferry.sync.checkpoint.CheckpointStore;
import dev.ferry.sync.write.Backoff;
import dev.ferry.sync.write.ChunkWriter;
import dev.ferry.sync.write.ErrorClassifier;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * What every job runner shares: where jobs come from and go to, how chunks are written and retried.
 *
 * @param secrets values scrubbed from every message a job writes or logs (passwords of connection strings)
 */
record SyncContext(
        Spool spool,
        JobParser parser,
        PoolManager pools,
        CheckpointStore checkpoints,
        ExecutorService checkpointIo,
        ChunkWriter writer,
        ErrorClassifier classifier,
        Backoff backoff,
        int maxAttempts,
        Clock clock,
        RunGate gate,
        MBeanRegistrar mbeans,
        SyncStatistics statistics,
        List<String> secrets) {

    SyncContext {
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(checkpointIo, "checkpointIo");
        Objects.requireNonNull(clock, "clock");
        secrets = List.copyOf(secrets);
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
    }
}
