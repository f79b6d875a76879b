package dev.ferry.sync;

/** Ends a job in failed/ with the contract's {@code kind} and a message that says what to change. */
final class JobFailure extends Exception {
    static final String SOURCE_ERROR = "source-error";
    static final String WRITE_ERROR = "write-error";
    static final String GAVE_UP = "gave-up-after-retries";
    static final String CANCELLED = "cancelled";

    private final String kind;
    private final long chunk;
    private final int attempts;

    JobFailure(String kind, String message, long chunk, int attempts) {
        super(message);
        this.kind = kind;
        this.chunk = chunk;
        this.attempts = attempts;
    }

    String kind() {
        return kind;
    }

    long chunk() {
        return chunk;
    }

    int attempts() {
        return attempts;
    }
}
