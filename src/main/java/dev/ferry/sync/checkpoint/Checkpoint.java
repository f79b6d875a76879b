package dev.ferry.sync.checkpoint;

import dev.ferry.sync.source.Position;
import java.time.Instant;
import java.util.Objects;

/**
 * What a job has durably done: saved after each chunk the destination acknowledged.
 *
 * @param fingerprint identifies the job spec it belongs to (computed by the caller), so that a
 *                    different job reusing an id never resumes from this checkpoint
 * @param position    where the source resumes; {@code position.documentsRead()} is the job's documentsRead
 */
public record Checkpoint(String jobId, String fingerprint, Position position, Counters counters, Instant startedAt) {

    public Checkpoint {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    public long documentsRead() {
        return position.documentsRead();
    }
}
