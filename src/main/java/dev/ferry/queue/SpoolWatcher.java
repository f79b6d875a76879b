package dev.ferry.queue;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
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
    /** Where times and the settle time are clamped, so that a time plus the settle time cannot overflow. */
    private static final long FAR = Long.MAX_VALUE / 4;
    private static final byte SETTLING = 0;
    private static final byte READY = 1;
    private static final byte HANDED_OUT = 2;
    /** The order claims take: the file seen first, then by name. */
    private static final Comparator<Candidate> CLAIM_ORDER =
            Comparator.comparingLong((Candidate c) -> c.firstSeen).thenComparing(c -> c.name);
    /** Whose settle time ends first: it is the same for every file, so the last change decides. */
    private static final Comparator<Candidate> DEADLINE_ORDER =
            Comparator.comparingLong((Candidate c) -> c.lastChange).thenComparing(c -> c.name);

    private final Spool spool;
    private final Path dir;
    private final long settleNanos;
    private final Instant origin;
    private final Duration rescan;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean watchEvents;
    private final String threadName;

    private final Object lock = new Object();
    /**
     * Guarded by {@code lock}, as are the fields up to {@code tickAt}; keyed by file name. Each
     * candidate is settling (in {@code settlingQueue}: not settled when last looked at), ready (in
     * {@code readyQueue}: settled, not handed out) or handed out: two queues kept in order, so that a
     * claim costs a logarithm of the backlog rather than a sort of it.
     */
    private final Map<String, Candidate> candidates = new HashMap<>();
    private final TreeSet<Candidate> settlingQueue = new TreeSet<>(DEADLINE_ORDER);
    /**
     * A heap, a few bytes per waiting file where a tree takes forty. Its sort key never changes, so a
     * candidate that stops being ready keeps its entry until it is polled or the heap is compacted,
     * and reuses it if it becomes ready again: at most one entry per candidate ({@code inReadyQueue}).
     */
    private final PriorityQueue<Candidate> readyQueue = new PriorityQueue<>(CLAIM_ORDER);
    /** How many candidates are ready; the rest of {@code readyQueue} is stale. */
    private int readyCount;
    /** Whether a candidate became ready since the listener was last told. */
    private boolean unannounced;
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
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("queue.settleMillis must not be negative, was " + settle.toMillis());
        }
        if (rescan.isNegative() || rescan.isZero()) {
            throw new IllegalArgumentException("queue.rescanSeconds must be positive, was " + rescan.toSeconds());
        }
        this.settleNanos = settle.compareTo(Duration.ofNanos(FAR)) > 0 ? FAR : settle.toNanos();
        this.origin = clock.instant();
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
            long now = nanos(clock.instant());
            // Promoted once per call: a file held back below waits for the next call even with settle 0.
            promoteLocked(now);
            Candidate c;
            while ((c = readyQueue.poll()) != null) {
                c.inReadyQueue = false;
                if (c.state != READY) {
                    continue;
                }
                readyCount--;
                if (!c.isSettled(now, settleNanos)) {
                    // Only a clock that went back gets here: the file waits for its deadline again.
                    settleLocked(c);
                    continue;
                }
                c.state = HANDED_OUT;
                Path file = dir.resolve(c.name);
                if (observeLocked(c.name, file) == Observation.UNCHANGED) {
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
                        Candidate c = candidates.get(name);
                        if (c == null || c.state == SETTLING) {
                            // new, or settling: a write seen now restarts its settle time from now
                            observeLocked(name, dir.resolve(name));
                        } else {
                            // Ready or handed out: not stat'ed, since nextSettled() looks at a file once more
                            // before handing it out and a change then holds it back; so a backlog of 100,000
                            // waiting files is not stat'ed every rescan (BENCHMARKS.md, benchmark 7).
                            // Still here after being handed out: its claim did not happen, offer it again.
                            offerAgainLocked(c);
                        }
                    }
                }
            }
            Set<String> present = new HashSet<>(listed);
            synchronized (lock) {
                // Events may have added files after the listing; forget only what is really gone.
                for (Iterator<Candidate> it = candidates.values().iterator(); it.hasNext(); ) {
                    Candidate c = it.next();
                    if (!present.contains(c.name) && !Files.exists(dir.resolve(c.name), LinkOption.NOFOLLOW_LINKS)) {
                        it.remove();
                        unqueueLocked(c);
                    }
                }
                // Every file still waiting was offered again, so the listener hears of any that is ready.
                ready = markReadyLocked() | readyCount > 0;
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
            if (tick != null) {
                tick.cancel(false);
                tick = null;
            }
            candidates.clear();
            settlingQueue.clear();
            readyQueue.clear();
            readyCount = 0;
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

    /** Stats one file and updates its candidate; a new or changed file starts settling again. */
    private Observation observeLocked(String name, Path file) {
        if (closed.get()) {
            return Observation.GONE;
        }
        BasicFileAttributes attrs = null;
        if (Spool.isCandidateName(name)) {
            try {
                // the entry itself, never a link's target: a link, FIFO or directory is claimed like a
                // file and then rejected unread into failed/, instead of waiting in incoming/ unseen
                attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                attrs = null;
            } catch (IOException e) {
                log.debug("{}: cannot read attributes: {}", name, e.toString());
                attrs = null;
            }
        }
        if (attrs == null) {
            Candidate removed = candidates.remove(name);
            if (removed != null) {
                unqueueLocked(removed);
            }
            return Observation.GONE;
        }
        long now = nanos(clock.instant());
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        Candidate c = candidates.get(name);
        if (c == null) {
            c = new Candidate(name, size, mtime, now);
            candidates.put(name, c);
            settleLocked(c);
            return Observation.NEW;
        }
        if (c.size != size || c.mtime != mtime) {
            // Size matters as much as mtime: mtime can be as coarse as a second or two.
            unqueueLocked(c);
            c.size = size;
            c.mtime = mtime;
            c.lastChange = now;
            settleLocked(c);
            return Observation.CHANGED;
        }
        return Observation.UNCHANGED;
    }

    /** Queues a candidate that is in no queue to settle from its last change. */
    private void settleLocked(Candidate c) {
        c.state = SETTLING;
        settlingQueue.add(c);
        scheduleTickLocked(c.lastChange + settleNanos);
    }

    /** Takes a candidate out of whichever queue holds it; its sort key may change only then. */
    private void unqueueLocked(Candidate c) {
        byte was = c.state;
        c.state = HANDED_OUT;
        if (was == SETTLING) {
            settlingQueue.remove(c);
        } else if (was == READY) {
            readyCount--;
            if (readyQueue.size() > 1024 && readyQueue.size() > 2 * readyCount) {
                // Files deleted or rewritten while waiting; without claims their entries would stay.
                readyQueue.removeIf(SpoolWatcher::dropIfStale);
            }
        }
    }

    /** A file handed out but still present at a rescan: its claim did not happen. */
    private void offerAgainLocked(Candidate c) {
        if (c.state == HANDED_OUT) {
            settleLocked(c);
        }
    }

    private static boolean dropIfStale(Candidate c) {
        if (c.state == READY) {
            return false;
        }
        c.inReadyQueue = false;
        return true;
    }

    private void readyLocked(Candidate c) {
        c.state = READY;
        readyCount++;
        if (!c.inReadyQueue) {
            c.inReadyQueue = true;
            readyQueue.add(c);
        }
        unannounced = true;
        log.debug("{}: settled in {}", c.name, dir);
    }

    /** Moves every candidate whose settle time has passed by {@code now} into the ready queue. */
    private void promoteLocked(long now) {
        Candidate c;
        while ((c = settlingQueue.isEmpty() ? null : settlingQueue.first()) != null
                && c.isSettled(now, settleNanos)) {
            settlingQueue.pollFirst();
            readyLocked(c);
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
        long delay = Math.max(0, deadline - nanos(clock.instant()));
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
            long now = nanos(clock.instant());
            int looked = 0;
            Candidate c;
            while (looked < LOCK_SLICE && (c = settlingQueue.isEmpty() ? null : settlingQueue.first()) != null
                    && c.isSettled(now, settleNanos)) {
                looked++;
                if (observeLocked(c.name, dir.resolve(c.name)) == Observation.UNCHANGED) {
                    settlingQueue.remove(c);
                    readyLocked(c);
                }
            }
            if (!settlingQueue.isEmpty()) {
                Candidate first = settlingQueue.first();
                scheduleTickLocked(first.isSettled(now, settleNanos) ? now : first.lastChange + settleNanos);
            }
            ready = markReadyLocked();
        }
        if (ready) {
            fireReady();
        }
    }

    /**
     * True if the listener should run: a file became ready since it last ran. That file may have been
     * handed out meanwhile; a listener run for nothing costs one empty {@link #nextSettled()}.
     */
    private boolean markReadyLocked() {
        promoteLocked(nanos(clock.instant()));
        boolean any = unannounced;
        unannounced = false;
        return any;
    }

    private void fireReady() {
        try {
            readyListener.run();
        } catch (RuntimeException e) {
            log.warn("{}: ready listener failed: {}", dir, e.toString(), e);
        }
    }

    /**
     * Nanoseconds from this watcher's creation on its clock: a long per time stamp instead of an
     * Instant, and exact within 73 years of it (beyond, times are clamped and only order suffers).
     */
    private long nanos(Instant t) {
        long seconds = t.getEpochSecond() - origin.getEpochSecond();
        try {
            long n = Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), t.getNano() - origin.getNano());
            return Math.max(-FAR, Math.min(FAR, n));
        } catch (ArithmeticException far) {
            return seconds < 0 ? -FAR : FAR;
        }
    }

    /**
     * One job file in {@code incoming/}; touched only under {@code lock}. It is settling, ready or
     * handed out ({@link #state}); {@code lastChange}, the settling queue's sort key, is changed only
     * while it is not in that queue.
     */
    private static final class Candidate {
        final String name;
        final long firstSeen;
        long lastChange;
        long size;
        long mtime;
        byte state;
        boolean inReadyQueue;

        Candidate(String name, long size, long mtime, long now) {
            this.name = name;
            this.size = size;
            this.mtime = mtime;
            this.firstSeen = now;
            this.lastChange = now;
        }

        boolean isSettled(long now, long settleNanos) {
            return now >= lastChange + settleNanos;
        }
    }
}
