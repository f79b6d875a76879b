package dev.ferry.model;

/**
 * The {@code kind} of {@code failed/ID.error.json} and of a {@code ferry.job.failed} notification
 * (README, "The spool"): the one list of them, so that the parser, the runner and the scripts that read
 * the files agree on every word.
 */
public enum ErrorKind {
    /** The job file: bad JSON, wrong fields or values, a bad id, not a regular file. */
    INVALID_JOB("invalid-job"),
    /** A connection name ferry.properties does not define. */
    UNKNOWN_CONNECTION("unknown-connection"),
    /** The source: missing, unreadable, outside the allowed directories, malformed, dropped. */
    SOURCE_ERROR("source-error"),
    /** The destination rejected a document for good. */
    WRITE_ERROR("write-error"),
    /** A transient error outlasted retry.maxAttempts. */
    GAVE_UP_AFTER_RETRIES("gave-up-after-retries"),
    /** An operator cancelled the job. */
    CANCELLED("cancelled"),
    /** A follow job's resume point is no longer in the source's history; only a fresh snapshot helps. */
    RESUME_LOST("resume-lost"),
    /** A job's comparison found the destination different from the source (docs/jobs.md, "Verify"). */
    VERIFY_MISMATCH("verify-mismatch"),
    /** The source's indexes cannot be built on the destination: a name taken by another spec, or data that violates one. */
    INDEX_ERROR("index-error");

    private final String word;

    ErrorKind(String word) {
        this.word = word;
    }

    /** The word written to error files. */
    public String word() {
        return word;
    }
}
