package dev.ferry.sync.checkpoint;

import java.io.IOException;
import java.util.Optional;

/**
 * Where jobs' checkpoints are kept: {@link CheckpointStore}'s files in {@code state.dir}, or, for work a cluster shares,
 * also the cluster's coordination store (docs/cluster.md), whose write fails once the job's lease is another member's.
 */
public interface Checkpoints {
    void save(String jobId, Checkpoint checkpoint) throws IOException;

    /** @return empty when the job has no checkpoint */
    Optional<Checkpoint> load(String jobId) throws IOException;

    void delete(String jobId) throws IOException;
}
