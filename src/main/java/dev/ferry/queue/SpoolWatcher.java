package dev.ferry.queue;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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

    private final Spool spool;
    private final Path dir;
    private final Duration settle;
    private final Duration rescan;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean watchEvents;
    private final String threadName;

    private final Object lock = new Object();
    /** Guarded by {@code lock}; keyed by file name. */
    private final Map<String, Candidate> candidates = new HashMap<>();
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
        this.settle = Objects.requireNonNull(settle, "settle");
        this.rescan = Objects.requireNonNull(rescan, "rescan");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("queue.settleMillis must not be negative, was " + settle.toMillis());
        }
        if (rescan.isNegative() || rescan.isZero()) {
            throw new IllegalArgumentException("queue.rescanSeconds must be positive, was " + rescan.toSeconds());
        }
        this.watchEvents = watchEvents;
        this.threadName = "ferry-spool-watcher@" + Integer.toHexString(System.identityHashCode(this));
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
     * The oldest settled file (by the time it was first seen, then by name) not handed out yet, or
     * empty. The file is looked at once more first, so a change since it settled holds it back.
     */
    public Optional<Path> nextSettled() {
        synchronized (lock) {
            Instant now = clock.instant();
            List<Candidate> settled = new ArrayList<>();
            for (Candidate c : candidates.values()) {
                if (!c.handedOut && c.isSettled(now, settle)) {
                    settled.add(c);
                }
            }
            settled.sort(Comparator.comparing((Candidate c) -> c.firstSeen).thenComparing(c -> c.name));
            for (Candidate c : settled) {
                Path file = dir.resolve(c.name);
                if (observeLocked(c.name, file) == Observation.UNCHANGED) {
                    c.handedOut = true;
                    return Optional.of(file);
                }
            }
            return Optional.empty();
        }
    }

    /** Scans the whole directory now: picks up missed files, forgets vanished ones. */
    public void rescanNow() {
        if (closed.get()) {
            return;
        }
        boolean ready = false;
        try {
            Set<String> present = new HashSet<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    present.add(entry.getFileName().toString());
                }
            }
            synchronized (lock) {
                for (String name : present) {
                    observeLocked(name, dir.resolve(name));
                    Candidate c = candidates.get(name);
                    if (c != null) {
                        // Still here after being handed out: its claim did not happen, offer it again.
                        c.handedOut = false;
                        c.notified = false;
                    }
                }
                // Events may have added files after the listing; forget only what is really gone.
                candidates.keySet().removeIf(name -> !present.contains(name) && !Files.exists(dir.resolve(name)));
                ready = markReadyLocked();
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
        ScheduledFuture<?> task = rescanTask;
        if (task != null) {
            task.cancel(false);
        }
        synchronized (lock) {
            for (Candidate c : candidates.values()) {
                if (c.recheck != null) {
                    c.recheck.cancel(false);
                }
            }
            candidates.clear();
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
                        observeLocked(name, dir.resolve(name));
                        ready |= markReadyLocked();
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

    private enum Observation { GONE, NEW, CHANGED, UNCHANGED }

    /** Stats one file and updates its candidate; schedules a settle re-check after any change. */
    private Observation observeLocked(String name, Path file) {
        if (closed.get()) {
            return Observation.GONE;
        }
        BasicFileAttributes attrs = null;
        if (Spool.isCandidateName(name)) {
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException gone) {
                attrs = null;
            } catch (IOException e) {
                log.debug("{}: cannot read attributes: {}", name, e.toString());
                attrs = null;
            }
        }
        if (attrs == null || !attrs.isRegularFile()) {
            Candidate removed = candidates.remove(name);
            if (removed != null && removed.recheck != null) {
                removed.recheck.cancel(false);
            }
            return Observation.GONE;
        }
        Instant now = clock.instant();
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        Candidate c = candidates.get(name);
        if (c == null) {
            c = new Candidate(name, size, mtime, now);
            candidates.put(name, c);
            scheduleRecheckLocked(c, now);
            return Observation.NEW;
        }
        if (c.size != size || c.mtime != mtime) {
            // Size matters as much as mtime: mtime can be as coarse as a second or two.
            c.size = size;
            c.mtime = mtime;
            c.lastChange = now;
            c.handedOut = false;
            c.notified = false;
            scheduleRecheckLocked(c, now);
            return Observation.CHANGED;
        }
        return Observation.UNCHANGED;
    }

    private void scheduleRecheckLocked(Candidate c, Instant now) {
        if (c.recheck != null && !c.recheck.isDone()) {
            return; // the pending re-check reschedules itself if the file changed meanwhile
        }
        Duration wait = Duration.between(now, c.lastChange.plus(settle));
        long nanos = Math.max(0, wait.toNanos());
        try {
            c.recheck = scheduler.schedule(() -> recheck(c.name), nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            log.debug("{}: scheduler rejected the settle re-check; the next rescan covers it", c.name);
        }
    }

    private void recheck(String name) {
        boolean ready;
        synchronized (lock) {
            Candidate c = candidates.get(name);
            if (c == null || closed.get()) {
                return;
            }
            c.recheck = null;
            // Re-stat at the deadline: a writer on a file system without events shows up only here.
            observeLocked(name, dir.resolve(name));
            c = candidates.get(name);
            if (c != null && !c.isSettled(clock.instant(), settle)) {
                scheduleRecheckLocked(c, clock.instant());
            }
            ready = markReadyLocked();
        }
        if (ready) {
            fireReady();
        }
    }

    /** Marks newly settled candidates as notified; true if the listener should run. */
    private boolean markReadyLocked() {
        Instant now = clock.instant();
        boolean any = false;
        for (Candidate c : candidates.values()) {
            if (!c.handedOut && !c.notified && c.isSettled(now, settle)) {
                c.notified = true;
                any = true;
                log.debug("{}: settled in {}", c.name, dir);
            }
        }
        return any;
    }

    private void fireReady() {
        try {
            readyListener.run();
        } catch (RuntimeException e) {
            log.warn("{}: ready listener failed: {}", dir, e.toString(), e);
        }
    }

    /** Mutable state of one file; touched only under {@code lock}. */
    private static final class Candidate {
        final String name;
        final Instant firstSeen;
        long size;
        long mtime;
        Instant lastChange;
        boolean handedOut;
        boolean notified;
        ScheduledFuture<?> recheck;

        Candidate(String name, long size, long mtime, Instant now) {
            this.name = name;
            this.size = size;
            this.mtime = mtime;
            this.firstSeen = now;
            this.lastChange = now;
        }

        boolean isSettled(Instant now, Duration settle) {
            return !now.isBefore(lastChange.plus(settle));
        }
    }
}
