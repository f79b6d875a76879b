package dev.ferry.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One daemon per state directory: an OS file lock on {@code ferry.lock} (released by the kernel even
 * after SIGKILL, so a crash never leaves a stale lock) and a {@code ferry.pid} file that {@code ferry
 * ctl} and {@code ferry status} use to find the process.
 */
public final class InstanceLock implements AutoCloseable {
    public static final String PID_FILE = "ferry.pid";
    static final String LOCK_FILE = "ferry.lock";

    private final Path pidFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean released = new AtomicBoolean();

    private InstanceLock(Path pidFile, FileChannel channel, FileLock lock) {
        this.pidFile = pidFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws AlreadyRunningException if another process holds the state directory */
    public static InstanceLock acquire(Path stateDir) throws IOException, AlreadyRunningException {
        Files.createDirectories(stateDir);
        Path lockPath = stateDir.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            String other = readPid(stateDir).map(p -> " (pid " + p + ")").orElse("");
            throw new AlreadyRunningException("another ferry" + other + " is running with state dir " + stateDir);
        }
        Path pidFile = stateDir.resolve(PID_FILE);
        Path tmp = stateDir.resolve(PID_FILE + ".tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new InstanceLock(pidFile, channel, lock);
    }

    /** The pid in {@code ferry.pid} if that process is alive. */
    public static Optional<Long> readPid(Path stateDir) {
        try {
            String text = Files.readString(stateDir.resolve(PID_FILE), StandardCharsets.US_ASCII).trim();
            long pid = Long.parseLong(text);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes the pid file and releases the lock. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            Files.deleteIfExists(pidFile);
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
