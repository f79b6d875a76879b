package dev.ferry.queue;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds job files in {@code incoming/} that have settled: unchanged (size and modification time)
 * for {@code settle}, measured on the injected clock from the moment a change was last seen.
 *
 * <p>File-system events make new files show up at once; a full rescan every {@code rescan} catches
 * what events miss (queue overflow, network file systems that send none, macOS polling). The
 * watcher never claims: the orchestrator pulls {@link #nextSettled()} when it has a free worker and
 * then calls {@link Spool#claim(Path)}, which decides between daemons sharing the spool. A file
 * that is still in {@code incoming/} at the next rescan after it was handed out (its claim lost to
 * a running job of the same name) is offered again.
 *
 * <p>Settling only guards against writers that pause for less than {@code settle}; submitting with
 * a rename (as {@code ferry submit} does) is the safe way.
 */
public final class SpoolWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpoolWatcher.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    /** Files looked at per hold of the lock by a rescan or the settle timer. */
    private static final int LOCK_SLICE = 512;
    private final Spool spool;
    private final Path dir;
    private volatile Duration rescan;
    private final ScheduledExecutorService scheduler;
    private final boolean watchEvents;
    private final String threadName;

    private final Object lock = new Object();
    /** The files waiting in {@code incoming/}; guarded by {@code lock}, as are {@code tick} and {@code tickAt}. */
    private final WaitingFiles files;
    /** The settle timer and the deadline it was set for. */
    private ScheduledFuture<?> tick;
    private long tickAt = Long.MAX_VALUE;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Runnable readyListener = () -> { };
    private volatile WatchService watchService;
    private volatile Thread thread;
    private volatile ScheduledFuture<?> rescanTask;

    /**
     * @param settle how long a file must stay unchanged before it is handed out; may be zero
     * @param rescan interval of the full directory rescan
     * @param scheduler runs rescans and settle re-checks; owned by the caller, not shut down here
     */
    public SpoolWatcher(Spool spool, Duration settle, Duration rescan, Clock clock,
            ScheduledExecutorService scheduler) {
        this(spool, settle, rescan, clock, scheduler, true);
    }

    /** {@code watchEvents=false} relies on rescans alone, as on a file system without events. */
    SpoolWatcher(Spool spool, Duration settle, Duration rescan, Clock clock,
            ScheduledExecutorService scheduler, boolean watchEvents) {
        this.spool = Objects.requireNonNull(spool, "spool");
        this.dir = spool.incoming();
        Objects.requireNonNull(settle, "settle");
        this.rescan = Objects.requireNonNull(rescan, "rescan");
        Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("queue.settleMillis must not be negative, was " + settle.toMillis());
        }
        if (rescan.isNegative() || rescan.isZero()) {
            throw new IllegalArgumentException("queue.rescanSeconds must be positive, was " + rescan.toSeconds());
        }
        this.watchEvents = watchEvents;
        this.threadName = "ferry-spool-watcher@" + Integer.toHexString(System.identityHashCode(this));
        this.files = new WaitingFiles(dir, settle, clock, this::scheduleTickLocked, closed::get);
    }

    /**
     * Sets the callback run whenever a file becomes settled, so the orchestrator can wake up
     * instead of polling. It runs on the watcher's or the scheduler's thread and must not block.
     */
    public void onReady(Runnable listener) {
        this.readyListener = Objects.requireNonNull(listener, "listener");
    }

    /** Creates the spool layout, registers for events, scans once and schedules the rescans. */
    public void start() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("spool watcher for " + dir + " is closed");
        }
        if (!started.compareAndSet(false, true)) {
            return;
        }
        spool.ensureLayout();
        if (watchEvents) {
            WatchService service = dir.getFileSystem().newWatchService();
            dir.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            watchService = service;
            Thread t = new Thread(() -> runEvents(service), threadName);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
        // Registered before this scan, so a file dropped meanwhile is seen by one or the other.
        rescanNow();
        rescanTask = scheduler.scheduleWithFixedDelay(
                this::rescanNow, rescan.toNanos(), rescan.toNanos(), TimeUnit.NANOSECONDS);
        if (closed.get()) {
            rescanTask.cancel(false);
        }
    }

    /**
     * A reload changed {@code queue.settleMillis} or {@code queue.rescanSeconds}: files settling now settle by the new
     * time; the rescans follow the new interval from now.
     */
    public void retime(Duration settle, Duration rescanInterval) {
        if (settle.isNegative() || rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("settle must not be negative and rescan must be positive");
        }
        synchronized (lock) {
            files.settle(settle);
            if (rescanInterval.equals(rescan)) {
                return;
            }
            rescan = rescanInterval;
            ScheduledFuture<?> task = rescanTask;
            if (task != null && !closed.get()) {
                task.cancel(false);
                rescanTask = scheduler.scheduleWithFixedDelay(this::rescanNow, rescanInterval.toNanos(),
                        rescanInterval.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        rescanNow(); // a shorter settle time may have made files ready
    }

    /**
     * The oldest settled file (by the time it was first seen, then by name) not handed out yet, or
     * empty. The file is looked at once more first, so a change since it settled holds it back.
     */
    public Optional<Path> nextSettled() {
        synchronized (lock) {
            return files.handOut();
        }
    }

    /** Scans the whole directory now: picks up missed files, forgets vanished ones. */
    public void rescanNow() {
        if (closed.get()) {
            return;
        }
        boolean ready = false;
        try {
            List<String> listed = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    listed.add(entry.getFileName().toString());
                }
            }
            // In slices, so that claims and events are not held up for the whole stat of a large backlog.
            for (int from = 0; from < listed.size(); from += LOCK_SLICE) {
                List<String> slice = listed.subList(from, Math.min(listed.size(), from + LOCK_SLICE));
                synchronized (lock) {
                    for (String name : slice) {
                        files.listed(name);
                    }
                }
            }
            Set<String> present = new HashSet<>(listed);
            synchronized (lock) {
                files.forgetGone(present);
                // Every file still waiting was offered again, so the listener hears of any that is ready.
                ready = files.markReady() | files.anyReady();
            }
        } catch (IOException | RuntimeException e) {
            log.warn("{}: rescan failed, will try again in {}: {}", dir, rescan, e.toString());
        }
        if (ready) {
            fireReady();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) { // under the lock, so that a retime() meanwhile cannot leave a rescan scheduled
            ScheduledFuture<?> task = rescanTask;
            if (task != null) {
                task.cancel(false);
            }
            if (tick != null) {
                tick.cancel(false);
                tick = null;
            }
            files.clear();
        }
        WatchService service = watchService;
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                log.warn("{}: closing the watch service failed: {}", dir, e.toString());
            }
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(JOIN_TIMEOUT.toMillis());
                if (t.isAlive()) {
                    log.warn("{}: thread {} did not stop within {}", dir, threadName, JOIN_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The name of the event thread, for tests and thread dumps. */
    String threadName() {
        return threadName;
    }

    private void runEvents(WatchService service) {
        try {
            while (!closed.get()) {
                WatchKey key = service.take();
                boolean overflow = false;
                boolean ready = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == OVERFLOW) {
                        overflow = true;
                        continue;
                    }
                    String name = ((Path) event.context()).getFileName().toString();
                    synchronized (lock) {
                        files.observe(name);
                        ready |= files.markReady();
                    }
                }
                if (ready) {
                    fireReady();
                }
                if (overflow) {
                    log.info("{}: file-system events overflowed, rescanning", dir);
                    rescanNow();
                }
                if (!key.reset()) {
                    log.warn("{}: no longer watchable (removed?); relying on rescans every {}", dir, rescan);
                    return;
                }
            }
        } catch (ClosedWatchServiceException closing) {
            log.debug("{}: watch service closed", dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("{}: event thread stopped, relying on rescans every {}", dir, rescan, e);
        }
    }

    /**
     * One timer for all candidates, set to the earliest deadline: a task per waiting file would cost
     * memory and scheduler time in proportion to the backlog.
     */
    private void scheduleTickLocked(long deadline) {
        if (closed.get() || tick != null && !tick.isDone() && tickAt <= deadline) {
            return; // the pending tick comes first and sets the next one
        }
        if (tick != null) {
            tick.cancel(false);
        }
        long delay = Math.max(0, deadline - files.now());
        try {
            tick = scheduler.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
            tickAt = deadline;
        } catch (RejectedExecutionException shuttingDown) {
            tick = null;
            log.debug("{}: scheduler rejected the settle timer; the next rescan covers it", dir);
        }
    }

    /**
     * Re-stats the files whose settle time has passed, since a writer on a file system without events
     * shows up only here; unchanged ones become ready. A large batch is split so others get the lock.
     */
    private void tick() {
        boolean ready;
        synchronized (lock) {
            if (closed.get()) {
                return;
            }
            tick = null;
            tickAt = Long.MAX_VALUE;
            long now = files.now();
            files.recheckDue(now, LOCK_SLICE);
            OptionalLong next = files.nextDeadline(now);
            if (next.isPresent()) {
                scheduleTickLocked(next.getAsLong());
            }
            ready = files.markReady();
        }
        if (ready) {
            fireReady();
        }
    }

    private void fireReady() {
        try {
            readyListener.run();
        } catch (RuntimeException e) {
            log.warn("{}: ready listener failed: {}", dir, e.toString(), e);
        }
    }
}
