package dev.ferry.sync;

import dev.ferry.model.ErrorKind;
import dev.ferry.sync.retry.AttemptFailure;

/** Ends a job in failed/ with its {@code kind} and a message that says what to change. */
final class JobFailure extends Exception {
    static final String SOURCE_ERROR = ErrorKind.SOURCE_ERROR.word();
    static final String WRITE_ERROR = ErrorKind.WRITE_ERROR.word();
    static final String GAVE_UP = ErrorKind.GAVE_UP_AFTER_RETRIES.word();
    static final String CANCELLED = ErrorKind.CANCELLED.word();
    static final String RESUME_LOST = ErrorKind.RESUME_LOST.word();
    static final String VERIFY_MISMATCH = ErrorKind.VERIFY_MISMATCH.word();
    static final String INDEX_ERROR = ErrorKind.INDEX_ERROR.word();

    private final String kind;
    private final long chunk;
    private final int attempts;

    JobFailure(String kind, String message, long chunk, int attempts) {
        super(message);
        this.kind = kind;
        this.chunk = chunk;
        this.attempts = attempts;
    }

    /**
     * A chunk's read or write that failed for good.
     *
     * @param kind    what a permanent error is ({@link #SOURCE_ERROR} or {@link #WRITE_ERROR})
     * @param subject what failed, the first words of the message
     * @param what    the chunk or batch that was tried, as {@code chunk 5} or {@code batch 5 of change events}
     */
    static JobFailure of(AttemptFailure failure, String kind, String subject, String what, long chunk) {
        if (failure.gaveUp()) {
            return new JobFailure(GAVE_UP, what + " failed " + failure.attempts()
                    + " times (retry.maxAttempts); last error: " + failure.getMessage()
                    + ". Fix the cause, then move the job back into incoming/", chunk, failure.attempts());
        }
        if (failure.getCause() instanceof dev.ferry.pool.UnknownConnectionException) {
            // a reload removed the connection after the job was claimed
            return new JobFailure(ErrorKind.UNKNOWN_CONNECTION.word(), subject + ": " + failure.getMessage()
                    + "; put it back into ferry.properties (and reload), then move the job back into incoming/", chunk,
                    failure.attempts());
        }
        return new JobFailure(kind, subject + ": " + failure.getMessage(), chunk, failure.attempts());
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
