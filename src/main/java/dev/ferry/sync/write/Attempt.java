package dev.ferry.sync.write;

/**
 * One try at reading or writing a chunk, repeated by {@link RetryLoop}.
 *
 * <p>A checked exception from {@link #run()} (other than {@link InterruptedException}) is permanent
 * by definition, as {@code SourceException} and {@link PermanentWriteException} are: trying again
 * cannot help. An unchecked one is judged by {@link ErrorClassifier}.
 */
public interface Attempt<T> {

    T run() throws Exception;

    /**
     * Runs before every try, e.g. to wait for a destination to come back; waiting uses no attempt.
     *
     * @return false if the job must stop instead of trying
     */
    default boolean ready() throws InterruptedException {
        return true;
    }

    /** Runs after a try threw an unchecked exception, before it is judged: drops what the try held. */
    default void abandon() {
    }
}
