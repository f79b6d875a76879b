package dev.ferry.daemon;

import dev.ferry.files.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One daemon per state directory: an OS file lock on {@code ferry.lock} (released by the kernel even
 * after SIGKILL, so a crash never leaves a stale lock) and the {@code ferry.pid} file that {@code ferry
 * ctl} and {@code ferry status} use to find the process (both in {@link StateDir}).
 */
public final class InstanceLock implements AutoCloseable {
    private final StateDir state;
    private final LockFile lock;
    private final AtomicBoolean released = new AtomicBoolean();

    private InstanceLock(StateDir state, LockFile lock) {
        this.state = state;
        this.lock = lock;
    }

    /** @throws AlreadyRunningException if another process holds the state directory */
    public static InstanceLock acquire(StateDir state) throws IOException, AlreadyRunningException {
        Files.createDirectories(state.path());
        Optional<LockFile> lock = LockFile.tryAcquire(state.lockFile());
        if (lock.isEmpty()) {
            String other = state.livePid().map(p -> " (pid " + p + ")").orElse("");
            throw new AlreadyRunningException("another ferry" + other + " is running with state dir " + state.path());
        }
        try {
            state.writePid(ProcessHandle.current().pid());
        } catch (IOException e) {
            lock.get().close();
            throw e;
        }
        return new InstanceLock(state, lock.get());
    }

    /** Removes the pid file and releases the lock. Idempotent. */
    @Override
    public void close() throws IOException {
        // once only: after the release another daemon may own the state dir and its pid file
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.deleteIfExists(state.pidFile());
        } finally {
            lock.close();
        }
    }

    public static final class AlreadyRunningException extends Exception {
        AlreadyRunningException(String message) {
            super(message);
        }
    }
}
