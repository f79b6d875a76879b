package dev.ferry.sync.retry;

/** What a running job is doing, as its {@code Job} MXBean shows it. */
public enum JobState {
    STARTING,
    RUNNING,
    /** A chunk failed transiently and waits for its next attempt. */
    RETRYING,
    /** The destination pool is DOWN; the job waits for it instead of hammering it. */
    WAITING_FOR_DESTINATION,
    /** The orchestrator is paused; the job continues after resume(). */
    PAUSED,
    /** A follow job copied its snapshot and applies the source's change events; it ends only by finish or cancel. */
    FOLLOWING,
    /** The pool of a mongodb source is DOWN; the job waits for it as for a DOWN destination. */
    WAITING_FOR_SOURCE,
    /** The disk refused a checkpoint or spool write; the job retries it until the fault clears. */
    WAITING_FOR_DISK;

    /** A state the {@link RetryPolicy} shows while a try waits: it gives way to the job's own state once one succeeds. */
    public boolean isRetryWait() {
        return this == RETRYING || this == WAITING_FOR_SOURCE || this == WAITING_FOR_DESTINATION;
    }
}
