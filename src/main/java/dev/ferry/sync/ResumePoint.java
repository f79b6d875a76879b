package dev.ferry.sync;

import dev.ferry.sync.follow.FollowState;
import java.util.Optional;

/**
 * Where a job starts: after its checkpoint, or at the first document.
 *
 * @param fingerprint of the job file, so that only a checkpoint of this very file is resumed from
 * @param follow      a follow job's saved phase and stream point; empty for a fresh or a copy job
 */
record ResumePoint(String fingerprint, Progress progress, Optional<FollowState> follow) {
}
