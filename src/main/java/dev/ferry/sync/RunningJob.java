package dev.ferry.sync;

import dev.ferry.job.JobSpec;
import dev.ferry.sync.checkpoint.Checkpoint;
import dev.ferry.sync.checkpoint.Counters;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** The live view of one job: what its MXBean, progress log and cancel() see. Written by its runner only. */
final class RunningJob implements JobMXBean {
    private final JobSpec spec;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile JobState state = JobState.STARTING;
    private volatile Counters counters = Counters.ZERO;
    private volatile long documentsRead;
    private volatile Instant startedAt;
    private volatile String lastError = "";

    RunningJob(JobSpec spec, Instant startedAt) {
        this.spec = spec;
        this.startedAt = startedAt;
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
    }

    void resumedFrom(Checkpoint checkpoint) {
        startedAt = checkpoint.startedAt();
        progress(checkpoint.counters(), checkpoint.documentsRead());
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
}
