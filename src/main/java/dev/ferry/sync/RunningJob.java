package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.Counters;
import dev.ferry.sync.follow.FollowState;
import dev.ferry.sync.follow.Phase;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** The live view of one job: what its MXBean, progress log and cancel() see. Written by its runner only. */
final class RunningJob implements JobMXBean {
    private final JobSpec spec;
    private final AtomicBoolean cancelled = new AtomicBoolean();
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
    private volatile double sourceProgress = ProgressMeter.UNKNOWN;
    private volatile ProgressMeter meter;

    /** A job measured on the system clock. */
    RunningJob(JobSpec spec, Instant startedAt) {
        this(spec, startedAt, Clock.systemUTC());
    }

    /** @param clock measures a follow job's lag, documents per second and the time left */
    RunningJob(JobSpec spec, Instant startedAt, Clock clock) {
        this.spec = spec;
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

    /** @return false if finish was already requested */
    boolean requestFinish() {
        return finishRequested.compareAndSet(false, true);
    }

    boolean isFinishRequested() {
        return finishRequested.get();
    }

    String id() {
        return spec.id();
    }

    JobSpec spec() {
        return spec;
    }

    void state(JobState newState) {
        state = newState;
    }

    JobState state() {
        return state;
    }

    void progress(Counters newCounters, long newDocumentsRead) {
        counters = newCounters;
        documentsRead = newDocumentsRead;
        meter.record(newDocumentsRead, sourceProgress);
    }

    /** How far the source is after the chunk about to be recorded (see {@link ChunkReads#progress()}). */
    void sourceProgress(double fraction) {
        sourceProgress = fraction;
    }

    void resumedFrom(Checkpoint checkpoint) {
        startedAt = checkpoint.startedAt();
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

    void lastError(String message) {
        lastError = message;
    }

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
}
