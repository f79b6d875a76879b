package dev.ferry.queue;

import java.io.IOException;
import dev.ferry.files.LockFile;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job file in {@code active/} that this process owns. Ownership is an OS lock on a hidden sidecar
 * ({@code active/.NAME.lock}) taken before the rename that claims the file, so that another daemon
 * sharing the spool never adopts a job that is running here, and the kernel releases it when this
 * process dies, so that a crashed daemon's jobs can be adopted and resumed.
 */
public final class JobClaim implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobClaim.class);

    private final Path file;
    private final LockFile lock;

    JobClaim(Path file, LockFile lock) {
        this.file = file;
        this.lock = lock;
    }

    /** The job file in {@code active/}. */
    public Path file() {
        return file;
    }

    /** Releases ownership; the sidecar is deleted while still locked, so no one adopts a finished job. */
    @Override
    public void close() {
        try {
            lock.release(true);
        } catch (IOException e) {
            log.warn("{}: cannot delete or release lock file {}: {}", file.getFileName(), lock.path(), e.toString());
        }
    }
}
