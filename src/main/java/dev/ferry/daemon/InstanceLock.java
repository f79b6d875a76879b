package dev.ferry.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One daemon per state directory: an OS file lock on {@code ferry.lock} (released by the kernel even
 * after SIGKILL, so a crash never leaves a stale lock) and the {@code ferry.pid} file that {@code ferry
 * ctl} and {@code ferry status} use to find the process (both in {@link StateDir}).
 */
public final class InstanceLock implements AutoCloseable {
    private final StateDir state;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean released = new AtomicBoolean();

    private InstanceLock(StateDir state, FileChannel channel, FileLock lock) {
        this.state = state;
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws AlreadyRunningException if another process holds the state directory */
    public static InstanceLock acquire(StateDir state) throws IOException, AlreadyRunningException {
        Files.createDirectories(state.path());
        FileChannel channel = FileChannel.open(state.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            String other = state.livePid().map(p -> " (pid " + p + ")").orElse("");
            throw new AlreadyRunningException("another ferry" + other + " is running with state dir " + state.path());
        }
        try {
            state.writePid(ProcessHandle.current().pid());
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new InstanceLock(state, channel, lock);
    }

    /** Removes the pid file and releases the lock. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.deleteIfExists(state.pidFile());
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    public static final class AlreadyRunningException extends Exception {
        AlreadyRunningException(String message) {
            super(message);
        }
    }
}
