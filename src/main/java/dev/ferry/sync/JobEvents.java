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
}
