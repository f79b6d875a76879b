package dev.ferry.sync.write;

import java.time.Duration;

/** The job a {@link RetryLoop} works for: it names the log lines, hears of each failure and does the waiting. */
public interface RetrySubject {

    /** The job id, first word of every log line. */
    String name();

    /** True once the daemon shuts down: an error then comes from the shutdown, not from the chunk. */
    boolean isStopping();

    /** A try failed with an error worth retrying; {@code message} is scrubbed of secrets. */
    void failedTransiently(String message);

    /**
     * Waits {@code delay} before the next try.
     *
     * @return false if the job must stop (shutdown or cancel) instead of retrying
     */
    boolean backOff(Duration delay) throws InterruptedException;
}
