package dev.ferry.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job files waiting in {@code incoming/} for a {@link SpoolWatcher}: which ones are settling,
 * which are ready to be handed out, in which order, and when the next one settles.
 *
 * <p>Not thread-safe: the watcher calls every method under its one lock. Times are nanoseconds on
 * the watcher's clock ({@link #now()}); a file that starts settling tells the watcher its deadline,
 * so that the watcher's settle timer runs by then.
 */
final class WaitingFiles {

    /** The watcher's: its log level covers what is logged here, as before this class was split off. */
    private static final Logger log = LoggerFactory.getLogger(SpoolWatcher.class);
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

    private final Path dir;
    private long settleNanos; // the watcher's lock guards it, as every other field
    private final Clock clock;
    private final Instant origin;
    /** Told the deadline of each file that starts settling. */
    private final LongConsumer deadlines;
    /** Whether the watcher is closed: then nothing is looked at any more. */
    private final BooleanSupplier closed;

    /**
     * Keyed by file name. Each candidate is settling (in {@code settlingQueue}: not settled when last
     * looked at), ready (in {@code readyQueue}: settled, not handed out) or handed out: two queues kept
     * in order, so that a claim costs a logarithm of the backlog rather than a sort of it.
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

    /**
     * @param settle how long a file must stay unchanged; not negative
     * @param deadlines told the time by which a file that starts settling may be ready
     */
    WaitingFiles(Path dir, Duration settle, Clock clock, LongConsumer deadlines, BooleanSupplier closed) {
        this.dir = dir;
        this.settleNanos = clamp(settle);
        this.clock = clock;
        this.origin = clock.instant();
        this.deadlines = deadlines;
        this.closed = closed;
    }

    private static long clamp(Duration settle) {
        return settle.compareTo(Duration.ofNanos(FAR)) > 0 ? FAR : settle.toNanos();
    }

    /** A reload changed {@code queue.settleMillis}: files settling now settle by the new time. */
    void settle(Duration settle) {
        settleNanos = clamp(settle);
    }

    /** Stats one file and updates its candidate; a new or changed file starts settling again. */
    void observe(String name) {
        observe(name, dir.resolve(name));
    }

    /**
     * The oldest ready file (by the time it was first seen, then by name), now handed out, or empty.
     * The file is looked at once more first, so a change since it settled holds it back.
     */
    Optional<Path> handOut() {
        long now = now();
        // Promoted once per call: a file held back below waits for the next call even with settle 0.
        promote(now);
        Candidate c;
        while ((c = readyQueue.poll()) != null) {
            c.inReadyQueue = false;
            if (c.state != READY) {
                continue;
            }
            readyCount--;
            if (!c.isSettled(now, settleNanos)) {
                // Only a clock that went back gets here: the file waits for its deadline again.
                settle(c);
                continue;
            }
            c.state = HANDED_OUT;
            Path file = dir.resolve(c.name);
            if (observe(c.name, file) == Observation.UNCHANGED) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** One name listed by a rescan. */
    void listed(String name) {
        Candidate c = candidates.get(name);
        if (c == null || c.state == SETTLING) {
            // new, or settling: a write seen now restarts its settle time from now
            observe(name, dir.resolve(name));
        } else {
            // Ready or handed out: not stat'ed, since nextSettled() looks at a file once more
            // before handing it out and a change then holds it back; so a backlog of 100,000
            // waiting files is not stat'ed every rescan (docs/benchmarks.md, benchmark 7).
            // Still here after being handed out: its claim did not happen, offer it again.
            offerAgain(c);
        }
    }

    /** Forgets the files that are neither in {@code present} (a rescan's listing) nor in the directory. */
    void forgetGone(Set<String> present) {
        // Events may have added files after the listing; forget only what is really gone.
        for (Iterator<Candidate> it = candidates.values().iterator(); it.hasNext(); ) {
            Candidate c = it.next();
            if (!present.contains(c.name) && !Files.exists(dir.resolve(c.name), LinkOption.NOFOLLOW_LINKS)) {
                it.remove();
                unqueue(c);
            }
        }
    }

    /** Whether any file is ready and not handed out. */
    boolean anyReady() {
        return readyCount > 0;
    }

    /**
     * True if the listener should run: a file became ready since it last ran. That file may have been
     * handed out meanwhile; a listener run for nothing costs one empty {@link SpoolWatcher#nextSettled()}.
     */
    boolean markReady() {
        promote(now());
        boolean any = unannounced;
        unannounced = false;
        return any;
    }

    /** The clock's time now, in nanoseconds from this watcher's creation (see {@code nanos}). */
    long now() {
        return nanos(clock.instant());
    }

    /**
     * Re-stats up to {@code limit} of the files whose settle time has passed by {@code now}, oldest
     * deadline first; unchanged ones become ready.
     */
    void recheckDue(long now, int limit) {
        int looked = 0;
        Candidate c;
        while (looked < limit && (c = settlingQueue.isEmpty() ? null : settlingQueue.first()) != null
                && c.isSettled(now, settleNanos)) {
            looked++;
            if (observe(c.name, dir.resolve(c.name)) == Observation.UNCHANGED) {
                settlingQueue.remove(c);
                ready(c);
            }
        }
    }

    /**
     * When the settle timer should run next: {@code now} if a file whose settle time has passed is
     * still settling, else the earliest deadline; empty if no file is settling.
     */
    OptionalLong nextDeadline(long now) {
        if (settlingQueue.isEmpty()) {
            return OptionalLong.empty();
        }
        Candidate first = settlingQueue.first();
        return OptionalLong.of(first.isSettled(now, settleNanos) ? now : first.lastChange + settleNanos);
    }

    /** Forgets every file, as when the watcher closes. */
    void clear() {
        candidates.clear();
        settlingQueue.clear();
        readyQueue.clear();
        readyCount = 0;
    }

    private enum Observation { GONE, NEW, CHANGED, UNCHANGED }

    /** {@link #observe(String)} of the file at {@code file}, saying what it found. */
    private Observation observe(String name, Path file) {
        if (closed.getAsBoolean()) {
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
                unqueue(removed);
            }
            return Observation.GONE;
        }
        long now = now();
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        Candidate c = candidates.get(name);
        if (c == null) {
            c = new Candidate(name, size, mtime, now);
            candidates.put(name, c);
            settle(c);
            return Observation.NEW;
        }
        if (c.size != size || c.mtime != mtime) {
            // Size matters as much as mtime: mtime can be as coarse as a second or two.
            unqueue(c);
            c.size = size;
            c.mtime = mtime;
            c.lastChange = now;
            settle(c);
            return Observation.CHANGED;
        }
        return Observation.UNCHANGED;
    }

    /** Queues a candidate that is in no queue to settle from its last change. */
    private void settle(Candidate c) {
        c.state = SETTLING;
        settlingQueue.add(c);
        deadlines.accept(c.lastChange + settleNanos);
    }

    /** Takes a candidate out of whichever queue holds it; its sort key may change only then. */
    private void unqueue(Candidate c) {
        byte was = c.state;
        c.state = HANDED_OUT;
        if (was == SETTLING) {
            settlingQueue.remove(c);
        } else if (was == READY) {
            readyCount--;
            if (readyQueue.size() > 1024 && readyQueue.size() > 2 * readyCount) {
                // Files deleted or rewritten while waiting; without claims their entries would stay.
                readyQueue.removeIf(WaitingFiles::dropIfStale);
            }
        }
    }

    /** A file handed out but still present at a rescan: its claim did not happen. */
    private void offerAgain(Candidate c) {
        if (c.state == HANDED_OUT) {
            settle(c);
        }
    }

    private static boolean dropIfStale(Candidate c) {
        if (c.state == READY) {
            return false;
        }
        c.inReadyQueue = false;
        return true;
    }

    private void ready(Candidate c) {
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
    private void promote(long now) {
        Candidate c;
        while ((c = settlingQueue.isEmpty() ? null : settlingQueue.first()) != null
                && c.isSettled(now, settleNanos)) {
            settlingQueue.pollFirst();
            ready(c);
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
     * One job file in {@code incoming/}; touched only under the watcher's lock. It is settling, ready
     * or handed out ({@link #state}); {@code lastChange}, the settling queue's sort key, is changed
     * only while it is not in that queue.
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
