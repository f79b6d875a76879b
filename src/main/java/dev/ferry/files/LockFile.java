package dev.ferry.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An OS lock on a file ({@code fcntl} via {@link FileChannel#tryLock()}): the kernel releases it when
 * the process dies, SIGKILL included, so a crash never leaves a stale lock behind. Used for the one
 * daemon per state directory ({@code ferry.lock}) and for owning a job in {@code active/}.
 */
public final class LockFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean released = new AtomicBoolean();

    private LockFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code path}, creating it if needed.
     *
     * @return empty if another process holds it, or this one already does (a JVM cannot lock a region
     *     twice; to the caller that means "taken", which is what it is)
     */
    public static Optional<LockFile> tryAcquire(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(new LockFile(path, channel, lock));
    }

    public Path path() {
        return path;
    }

    /**
     * Releases the lock. Idempotent.
     *
     * @param deleteWhileHeld delete the file first, while still locked, so that nobody can take a lock
     *     on a file whose owner has finished
     */
    public void release(boolean deleteWhileHeld) throws IOException {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            if (deleteWhileHeld) {
                Files.deleteIfExists(path);
            }
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        release(false);
    }
}
