package dev.ferry.sync.retry;

/**
 * A {@link RetryPolicy} gave up: the error was permanent, or it was still failing at the last attempt
 * allowed. The message is the error in plain words, scrubbed of secrets.
 */
public final class AttemptFailure extends Exception {

    private final int attempts;
    private final boolean gaveUp;

    AttemptFailure(String message, int attempts, boolean gaveUp, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
        this.gaveUp = gaveUp;
    }

    /** Tries made, the failed one included. */
    public int attempts() {
        return attempts;
    }

    /** True when every attempt allowed failed transiently; false when one failed permanently. */
    public boolean gaveUp() {
        return gaveUp;
    }
}
