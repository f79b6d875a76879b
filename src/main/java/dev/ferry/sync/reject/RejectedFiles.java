package dev.ferry.sync.reject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where jobs keep their rejected records: {@code active/.ID.rejected.ndjson} (hidden, so the spool
 * ignores it) while the job runs, then {@code done/ID.rejected.ndjson} or {@code failed/ID.rejected.ndjson}
 * beside the job's outcome.
 */
public final class RejectedFiles {
    static final String SUFFIX = ".rejected.ndjson";

    private final Path active;
    private final Path done;
    private final Path failed;

    public RejectedFiles(Path active, Path done, Path failed) {
        this.active = active;
        this.done = done;
        this.failed = failed;
    }

    /** @param keep the rejected records the job's checkpoint counts (0 when it starts afresh) */
    public RejectedFile open(String jobId, long keep) throws IOException {
        return RejectedFile.open(running(jobId), keep);
    }

    /**
     * Moves the job's rejected records beside its outcome, replacing those of an earlier run; a run
     * that rejected nothing leaves no file, and removes an earlier run's.
     */
    public void finish(String jobId, boolean succeeded) throws IOException {
        Path target = (succeeded ? done : failed).resolve(jobId + SUFFIX);
        Path from = running(jobId);
        if (Files.exists(from) && Files.size(from) > 0) {
            Files.move(from, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.deleteIfExists(from);
            Files.deleteIfExists(target);
        }
    }

    private Path running(String jobId) {
        if (jobId.isEmpty() || jobId.contains("/")) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return active.resolve("." + jobId + SUFFIX);
    }
}
