package dev.ferry.sync.retry;

/**
 * One try at a stage's work (reading a chunk, writing it, polling a change stream), repeated by
 * {@link RetryPolicy}. A checked exception from {@link #run()} (other than {@link InterruptedException})
 * is permanent by definition: trying again cannot help. An unchecked one is judged by {@link ErrorClassifier}.
 */
@FunctionalInterface
public interface Attempt<T> {

    T run() throws Exception;

    /** Runs after a try threw an unchecked exception, before it is judged: drops what the try held. */
    default void abandon() {
    }
}
