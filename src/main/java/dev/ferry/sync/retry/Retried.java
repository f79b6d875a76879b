package dev.ferry.sync.retry;

/** How a {@link RetryPolicy} ended when it did not fail: with a value, or because the job must stop. */
public sealed interface Retried<T> {

    /** @param retries tries that failed before this one */
    record Done<T>(T value, int retries) implements Retried<T> {
    }

    /** Shutdown, cancel or a closed pool: nothing was acknowledged, and a resume does the chunk again. */
    record Stopped<T>() implements Retried<T> {
    }
}
