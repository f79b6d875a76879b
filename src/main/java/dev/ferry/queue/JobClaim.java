package dev.ferry.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean released = new AtomicBoolean();

    JobClaim(Path file, Path lockFile, FileChannel channel, FileLock lock) {
        this.file = file;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** The job file in {@code active/}. */
    public Path file() {
        return file;
    }

    /** Releases ownership; the sidecar is deleted while still locked, so no one adopts a finished job. */
    @Override
    public void close() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            log.warn("{}: cannot delete lock file {}: {}", file.getFileName(), lockFile, e.toString());
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("{}: cannot release lock {}: {}", file.getFileName(), lockFile, e.toString());
        }
    }
}
