package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.Counters;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
    private volatile double sourceProgress = ProgressMeter.UNKNOWN;
    private volatile ProgressMeter meter;

    /** A job whose speed is never measured (its clock stands still). */
    RunningJob(JobSpec spec, Instant startedAt) {
        this(spec, startedAt, Clock.fixed(startedAt, ZoneOffset.UTC));
    }

    /** @param clock measures documents per second and the time left */
    RunningJob(JobSpec spec, Instant startedAt, Clock clock) {
        this.spec = spec;
        this.startedAt = startedAt;
        this.clock = clock;
        // a job starting from its first document is at 0 of any source that can measure itself
        this.meter = new ProgressMeter(clock, 0, 0.0);
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
    public double getProgress() {
        return meter.fraction();
    }

    @Override
    public double getDocumentsPerSecond() {
        return meter.documentsPerSecond();
    }

    @Override
    public long getEtaSeconds() {
        return meter.etaSeconds();
    }
}
