package dev.ferry.sync.retry;

/**
 * One try at a stage's work (reading a chunk, writing it, polling a change stream), repeated by
 * {@link RetryPolicy}. A checked exception from {@link #run()} (other than {@link InterruptedException})
 * is permanent by definition: trying again cannot help. An unchecked one is judged by {@link ErrorClassifier}.
 */
@FunctionalInterface
public interface Attempt<T> {

    T run() throws Exception;

    /**
     * Runs before every retry (not before the first try), after the backoff: a lane of a job waits here
     * until every chunk before its own is written, so that a job in trouble retries one chunk at a time.
     *
     * @return false if the job must stop instead of retrying
     */
    default boolean awaitTurn() throws InterruptedException {
        return true;
    }

    /** Runs after a try threw an unchecked exception, before it is judged: drops what the try held. */
    default void abandon() {
    }
}
