package dev.ferry.sync;

import dev.ferry.sync.write.AttemptFailure;

/** Ends a job in failed/ with its {@code kind} and a message that says what to change. */
final class JobFailure extends Exception {
    static final String SOURCE_ERROR = "source-error";
    static final String WRITE_ERROR = "write-error";
    static final String GAVE_UP = "gave-up-after-retries";
    static final String CANCELLED = "cancelled";
    /** A follow job's resume point is no longer in the source's history; only a fresh snapshot helps. */
    static final String RESUME_LOST = "resume-lost";

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
     */
    static JobFailure of(AttemptFailure failure, String kind, String subject, long chunk) {
        if (failure.gaveUp()) {
            return new JobFailure(GAVE_UP, "chunk " + chunk + " failed " + failure.attempts()
                    + " times (retry.maxAttempts); last error: " + failure.getMessage()
                    + ". Fix the cause, then move the job back into incoming/", chunk, failure.attempts());
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
