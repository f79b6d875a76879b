package dev.ferry.sync.retry;

import java.time.Duration;

/**
 * A running job as its stages and the {@link RetryPolicy} see it: its state, the daemon's pause, and
 * whether it must stop (shutdown or cancel). Waits return early when either happens.
 */
public interface JobControl {

    /** The job id, first word of every log line. */
    String id();

    JobState state();

    void state(JobState state);

    /** What went wrong last, shown on the job's MXBean; {@code message} is scrubbed of secrets. */
    void lastError(String message);

    /** A try failed with an error worth retrying: counted in the daemon's totals as well. */
    void failedTransiently(String message);

    /** True once the daemon shuts down: an error then comes from the shutdown, not from the work. */
    boolean isStopping();

    /**
     * Blocks while the daemon is paused.
     *
     * @return false if the job must stop (shutdown or cancel)
     */
    boolean awaitRunnable() throws InterruptedException;

    /**
     * Sleeps up to {@code delay}, less if the job must stop.
     *
     * @return false if the job must stop (shutdown or cancel)
     */
    boolean sleep(Duration delay) throws InterruptedException;
}
