package dev.ferry.sync.checkpoint;

import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.source.Position;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job has durably done: saved after each chunk the destination acknowledged.
 *
 * @param fingerprint identifies the job spec it belongs to (computed by the caller), so that a
 *                    different job reusing an id never resumes from this checkpoint
 * @param position    where the source resumes; {@code position.documentsRead()} is the job's documentsRead
 * @param follow      a follow job's phase, stream point and event totals; empty for a copy job
 * @param verify      where the job's comparison of source and destination stands, once it began
 */
public record Checkpoint(String jobId, String fingerprint, Position position, Counters counters, Instant startedAt,
                         Optional<FollowState> follow, Optional<VerifyState> verify) {

    public Checkpoint {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(follow, "follow");
        Objects.requireNonNull(verify, "verify");
    }

    /** Before any comparison. */
    public Checkpoint(String jobId, String fingerprint, Position position, Counters counters, Instant startedAt,
                      Optional<FollowState> follow) {
        this(jobId, fingerprint, position, counters, startedAt, follow, Optional.empty());
    }

    /** A copy job's checkpoint. */
    public Checkpoint(String jobId, String fingerprint, Position position, Counters counters, Instant startedAt) {
        this(jobId, fingerprint, position, counters, startedAt, Optional.empty());
    }

    public long documentsRead() {
        return position.documentsRead();
    }
}
