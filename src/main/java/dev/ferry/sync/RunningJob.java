package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.VerifyState;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.FollowState.Phase;
import dev.ferry.sync.retry.JobControl;
import dev.ferry.sync.retry.JobState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live view of one job, and its control: what its MXBean, the progress log and cancel() see, and
 * how its stages wait (the daemon's {@link RunGate}) and report. Written by the job's own thread (its
 * worker, then a follower thread) and, for its state and last error only, by its lanes; read by any
 * thread through volatile fields.
 */
final class RunningJob implements JobMXBean, JobControl {
    private final JobSpec spec;
    private final RunGate gate;
    private final Orchestrator.Totals totals;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile java.util.function.BooleanSupplier runsHere = () -> true;
    private final Clock clock;
    private volatile JobState state = JobState.STARTING;
    private volatile Counters counters = Counters.ZERO;
    private volatile long documentsRead;
    private volatile Instant startedAt;
    private volatile String lastError = "";
    private final AtomicBoolean finishRequested = new AtomicBoolean();
    private volatile Phase phase;
    private volatile long eventsApplied;
    private volatile long newestEventMillis;
    private volatile boolean caughtUp;
    private final Object caughtUpSignal = new Object();
    /** When the follow job last found its change stream empty (clock millis); guarded by caughtUpSignal. */
    private long caughtUpAt;
    private final AtomicBoolean verifyingBeside = new AtomicBoolean();
    private volatile double sourceProgress = ProgressMeter.UNKNOWN;
    private volatile ProgressMeter meter;
    private volatile int chunksInFlight;
    private volatile VerifyState verifyState;
    private volatile boolean verifyEnded;
    private volatile double verifyProgress = ProgressMeter.UNKNOWN;
    /** Why the last comparison beside following could not finish; null when it did or none ran. */
    private volatile String verifyFailure;

    /** A job measured on the system clock, waiting at its own gate. */
    RunningJob(JobSpec spec, Instant startedAt) {
        this(spec, startedAt, Clock.systemUTC(), new RunGate(), new Orchestrator.Totals());
    }

    /**
     * @param clock  measures a follow job's lag, documents per second and the time left
     * @param gate   where the job waits: paused, backing off, waiting for a pool or the disk
     * @param totals the daemon's totals, which count the job's retries
     */
    RunningJob(JobSpec spec, Instant startedAt, Clock clock, RunGate gate, Orchestrator.Totals totals) {
        this.spec = spec;
        this.gate = gate;
        this.totals = totals;
        this.startedAt = startedAt;
        this.clock = clock;
        // a job starting from its first document is at 0 of any source that can measure itself
        this.meter = new ProgressMeter(clock, 0, 0.0);
    }

    /** A follow job's phase and totals, as its checkpoint or the start of its stream gives them. */
    void follow(FollowState state) {
        phase = state.phase();
        eventsApplied = state.eventsApplied();
    }

    /** A batch of {@code events} events was applied; the newest happened at the source at {@code newestMillis}. */
    void applied(long events, long newestMillis) {
        eventsApplied += events;
        newestEventMillis = Math.max(newestEventMillis, newestMillis);
    }

    /** Whether the last look at the change stream found nothing new. */
    void caughtUp(boolean nothingPending) {
        caughtUp = nothingPending;
    }

    /**
     * The look at the change stream begun at {@code polledAt} (clock millis) found nothing new, and every
     * batch before it is applied: every event before that moment is in the destination.
     */
    void caughtUpSince(long polledAt) {
        caughtUp = true;
        synchronized (caughtUpSignal) {
            caughtUpAt = Math.max(caughtUpAt, polledAt);
            caughtUpSignal.notifyAll();
        }
    }

    /**
     * Waits until the follow job found its change stream empty in a look begun after {@code millis} (every
     * event that happened before then applied), at most {@code max}.
     *
     * @return false when it did not within {@code max}
     */
    boolean awaitCaughtUpAfter(long millis, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (caughtUpSignal) {
            while (caughtUpAt <= millis) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || isStopping() || cancelled.get() || finishRequested.get()) {
                    return false;
                }
                caughtUpSignal.wait(Math.max(1, Math.min(left / 1_000_000, 1_000)));
            }
            return true;
        }
    }

    /** @return false if a comparison beside following runs already */
    boolean startVerifyBeside() {
        if (!verifyingBeside.compareAndSet(false, true)) {
            return false;
        }
        verifyEnded = false;
        verifyState = null;
        verifyFailure = null;
        verifyProgress = ProgressMeter.UNKNOWN;
        return true;
    }

    /** The comparison beside following could not finish: {@link #getVerified()} says FAILED and why. */
    void verifyFailed(String reason) {
        verifyFailure = reason;
    }

    /** The comparison beside following ended (its outcome in {@link #getVerified()}, if it got one). */
    void endVerifyBeside() {
        verifyingBeside.set(false);
    }

    /** @return false if finish was already requested */
    boolean requestFinish() {
        return finishRequested.compareAndSet(false, true);
    }

    boolean isFinishRequested() {
        return finishRequested.get();
    }

    @Override
    public String id() {
        return spec.id();
    }

    JobSpec spec() {
        return spec;
    }

    @Override
    public void state(JobState newState) {
        state = newState;
    }

    @Override
    public JobState state() {
        return state;
    }

    void progress(Counters newCounters, long newDocumentsRead) {
        counters = newCounters;
        documentsRead = newDocumentsRead;
        meter.record(newDocumentsRead, sourceProgress);
    }

    /** How far the source is after the chunk about to be recorded (see {@link CopyLoop.Reads#progress()}). */
    void sourceProgress(double fraction) {
        sourceProgress = fraction;
    }

    void resumedFrom(Checkpoint checkpoint) {
        startedAt = checkpoint.startedAt();
        checkpoint.verify().ifPresent(v -> verifyState = v);
        counters = checkpoint.counters();
        documentsRead = checkpoint.documentsRead();
        // the documents of the earlier run are no part of this run's speed, and where the source stands
        // is known only after the first chunk
        meter = new ProgressMeter(clock, documentsRead, ProgressMeter.UNKNOWN);
    }

    Counters counters() {
        return counters;
    }

    long documentsRead() {
        return documentsRead;
    }

    Instant startedAt() {
        return startedAt;
    }

    @Override
    public void lastError(String message) {
        lastError = message;
    }

    @Override
    public void failedTransiently(String message) {
        lastError = message;
        totals.chunkRetries.increment();
    }

    /**
     * True when the job must stop and stay in active/: the daemon stops, or the job goes on elsewhere (its cluster lease
     * is no longer this member's, see {@link #runsHereWhile}).
     */
    @Override
    public boolean isStopping() {
        return gate.isStopping() || !runsHere.getAsBoolean();
    }

    /**
     * The job runs here only while {@code holds} says so (a cluster lease, docs/cluster.md); once it says no, the job
     * stops as at a shutdown, its checkpoint kept, and its waits end at once.
     */
    void runsHereWhile(java.util.function.BooleanSupplier holds) {
        this.runsHere = holds;
    }

    /** Ends the job's waits so that it sees {@link #isStopping()} now. */
    void wake() {
        gate.signal();
    }

    @Override
    public boolean awaitRunnable() throws InterruptedException {
        return gate.awaitRunnable(this);
    }

    @Override
    public boolean sleep(Duration delay) throws InterruptedException {
        return gate.sleep(delay, this);
    }

    /** Whether the daemon is paused: the job then writes and records its chunks in flight and waits. */
    boolean isPaused() {
        return gate.isPaused();
    }

    /**
     * The job as one of its lanes works for it: as the job itself, except that a pause does not hold a
     * write already handed to a lane; the job's own thread holds at its next chunk, after recording
     * nothing more, so that a paused job has written its chunks in flight and records them on resume.
     */
    JobControl lane() {
        return lane;
    }

    private final JobControl lane = new JobControl() {
        @Override
        public String id() {
            return RunningJob.this.id();
        }

        /** What the job does when no lane waits: a lane's retry never leaves another lane's RETRYING behind. */
        @Override
        public JobState state() {
            JobState s = RunningJob.this.state();
            if (s.isRetryWait()) {
                return phase == Phase.FOLLOWING ? JobState.FOLLOWING : JobState.RUNNING;
            }
            return s;
        }

        @Override
        public void state(JobState newState) {
            RunningJob.this.state(newState);
        }

        @Override
        public void lastError(String message) {
            RunningJob.this.lastError(message);
        }

        @Override
        public void failedTransiently(String message) {
            RunningJob.this.failedTransiently(message);
        }

        @Override
        public boolean isStopping() {
            return RunningJob.this.isStopping();
        }

        @Override
        public boolean awaitRunnable() {
            return !isStopping() && !isCancelled();
        }

        @Override
        public boolean sleep(Duration delay) throws InterruptedException {
            return RunningJob.this.sleep(delay);
        }
    };

    /** @return false if it was already cancelled */
    boolean cancel() {
        return cancelled.compareAndSet(false, true);
    }

    boolean isCancelled() {
        return cancelled.get();
    }

    @Override
    public String getSource() {
        return spec.source().describe();
    }

    @Override
    public String getDestination() {
        return spec.destination().describe();
    }

    @Override
    public String getState() {
        return state.name();
    }

    @Override
    public long getDocumentsWritten() {
        return documentsRead;
    }

    @Override
    public long getChunksWritten() {
        return counters.chunks();
    }

    @Override
    public long getRetries() {
        return counters.retries();
    }

    @Override
    public String getStartedAt() {
        return startedAt.toString();
    }

    @Override
    public String getLastError() {
        return lastError;
    }

    @Override
    public String getPhase() {
        Phase p = phase;
        return p == null ? "" : p.name();
    }

    @Override
    public int getLanes() {
        return spec.lanes();
    }

    @Override
    public int getChunksInFlight() {
        return chunksInFlight;
    }

    /** Chunks (or batches of events) written and not yet recorded. */
    void chunksInFlight(int chunks) {
        chunksInFlight = chunks;
    }

    /** Where the job's comparison stands, as last recorded. */
    void verify(VerifyState state) {
        verifyState = state;
    }

    /** How far the comparison's current pass is. */
    void verifyProgress(double fraction) {
        verifyProgress = fraction;
    }

    /** The comparison ended: its counts are final. */
    void verifyEnded() {
        verifyEnded = true;
        verifyProgress = 1.0;
    }

    @Override
    public String getVerified() {
        String failure = verifyFailure;
        if (failure != null) {
            return "FAILED " + failure;
        }
        VerifyState v = verifyState;
        if (v == null) {
            return spec.verifies() ? "PENDING" : "NONE";
        }
        String stage = !verifyEnded ? v.pass().name() : v.equalSoFar() ? "EQUAL" : "DIFFERENT";
        return stage + " " + v.compared() + " compared, " + v.missing() + " missing, " + v.extra() + " extra, "
                + v.different() + " different";
    }

    @Override
    public double getVerifyProgress() {
        return verifyState == null ? ProgressMeter.UNKNOWN : verifyProgress;
    }

    @Override
    public long getEventsApplied() {
        return eventsApplied;
    }

    @Override
    public long getLagMillis() {
        long newest = newestEventMillis;
        if (phase != Phase.FOLLOWING || caughtUp || newest == 0) {
            return 0;
        }
        return Math.max(0, clock.millis() - newest);
    }

    @Override
    public String getLastEventAt() {
        long newest = newestEventMillis;
        return newest == 0 ? "" : Instant.ofEpochMilli(newest).toString();
    }

    @Override
    public double getProgress() {
        // a follow job has copied everything once it follows; from then on LagMillis says how far behind it is
        return phase == Phase.FOLLOWING ? 1.0 : meter.fraction();
    }

    @Override
    public double getDocumentsPerSecond() {
        return meter.documentsPerSecond();
    }

    @Override
    public long getEtaSeconds() {
        return phase == Phase.FOLLOWING ? -1 : meter.etaSeconds();
    }

    /**
     * A running job's speed: documents per second and the time left, measured over about the last
     * {@link #WINDOW} from the samples its worker records after every acknowledged chunk. Rates are taken
     * up to "now" of the injected clock, so a job that stalls (paused, destination down) decays to 0
     * documents per second and an unknown ETA instead of showing its last good speed forever.
     */
    static final class ProgressMeter {
        static final Duration WINDOW = Duration.ofSeconds(10);
        static final double UNKNOWN = -1;
        /** Bounds memory for jobs of tiny chunks; the window then covers the last samples only. */
        private static final int MAX_SAMPLES = 4096;

        private record Sample(Instant at, long documents, double fraction) {
        }

        private final Clock clock;
        private final Deque<Sample> samples = new ArrayDeque<>();

        /**
         * @param documents written before this run (a resumed job's checkpoint)
         * @param fraction  how far the source is at the start, or {@link #UNKNOWN}
         */
        ProgressMeter(Clock clock, long documents, double fraction) {
            this.clock = clock;
            samples.add(new Sample(clock.instant(), documents, fraction));
        }

        synchronized void record(long documents, double fraction) {
            Instant now = clock.instant();
            samples.addLast(new Sample(now, documents, fraction));
            Instant windowStart = now.minus(WINDOW);
            // keep one sample at or before the window's start: it is the baseline of the rates
            while (samples.size() > 2 && !secondOldest().at().isAfter(windowStart) || samples.size() > MAX_SAMPLES) {
                samples.removeFirst();
            }
        }

        private Sample secondOldest() {
            var it = samples.iterator();
            it.next();
            return it.next();
        }

        /** The source's fraction at the last chunk, 0.0–1.0, or {@link #UNKNOWN}. */
        synchronized double fraction() {
            return samples.getLast().fraction();
        }

        /** Documents per second over the last ~10 s; 0.0 before any time has passed. */
        synchronized double documentsPerSecond() {
            Instant now = clock.instant();
            Sample base = baseline(now, false);
            double seconds = seconds(base.at(), now);
            return seconds <= 0 ? 0.0 : (samples.getLast().documents() - base.documents()) / seconds;
        }

        /** Seconds left at the speed of the last ~10 s, rounded up; -1 while the fraction or its speed is unknown. */
        synchronized long etaSeconds() {
            Sample last = samples.getLast();
            if (last.fraction() < 0) {
                return -1;
            }
            if (last.fraction() >= 1.0) {
                return 0;
            }
            Instant now = clock.instant();
            Sample base = baseline(now, true);
            double seconds = seconds(base.at(), now);
            double gained = last.fraction() - base.fraction();
            if (base.fraction() < 0 || seconds <= 0 || gained <= 0) {
                return -1;
            }
            // less a hair, so that floating-point noise never turns 82.000000001 s into 83
            return (long) Math.ceil((1.0 - last.fraction()) * seconds / gained - 1e-6);
        }

        /** The newest sample at or before the window's start, else the oldest one (with a known fraction if asked). */
        private Sample baseline(Instant now, boolean knownFraction) {
            Instant windowStart = now.minus(WINDOW);
            Sample base = null;
            for (Sample s : samples) {
                if (knownFraction && s.fraction() < 0) {
                    continue;
                }
                if (base == null || !s.at().isAfter(windowStart)) {
                    base = s;
                } else {
                    break;
                }
            }
            return base == null ? samples.getFirst() : base;
        }

        private static double seconds(Instant from, Instant to) {
            return Duration.between(from, to).toNanos() / 1e9;
        }
    }
}
