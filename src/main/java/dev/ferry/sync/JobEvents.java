package dev.ferry.sync;

/**
 * What the orchestrator tells whoever watches it: a job ended in done/ or failed/. Called on the
 * worker (or operator) thread that moved the job; implementations return quickly and never throw.
 * The sync package knows no JMX: the daemon's wiring turns these into notifications.
 */
public interface JobEvents {
    /** For an orchestrator nobody watches. */
    JobEvents NONE = new JobEvents() {
    };

    /** The job is in done/ with its result file. */
    default void done(String id, long documents, long chunks, long durationMillis) {
    }

    /** A follow job lost its resume point and copies a fresh snapshot ({@code "onResumeLost": "resnapshot"}). */
    default void resnapshot(String id, String message) {
    }

    /**
     * The job is in failed/ with its error file.
     *
     * @param id   the job id, or the file name of a job whose name gives no valid id
     * @param kind as in {@code ID.error.json}: invalid-job, source-error, write-error, cancelled, ...
     */
    default void failed(String id, String kind, String message) {
    }

    /**
     * The job's outcome as written to done/ or failed/: the result, or the error, document. Told after
     * {@link #done} or {@link #failed}, for jobs that ran.
     */
    default void outcome(String id, boolean done, org.bson.Document document) {
    }

    /** Tells {@code first}, then {@code second}. */
    static JobEvents both(JobEvents first, JobEvents second) {
        return new JobEvents() {
            @Override
            public void done(String id, long documents, long chunks, long durationMillis) {
                first.done(id, documents, chunks, durationMillis);
                second.done(id, documents, chunks, durationMillis);
            }

            @Override
            public void resnapshot(String id, String message) {
                first.resnapshot(id, message);
                second.resnapshot(id, message);
            }

            @Override
            public void failed(String id, String kind, String message) {
                first.failed(id, kind, message);
                second.failed(id, kind, message);
            }

            @Override
            public void outcome(String id, boolean done, org.bson.Document document) {
                first.outcome(id, done, document);
                second.outcome(id, done, document);
            }
        };
    }
}
