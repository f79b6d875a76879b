package dev.ferry.job;

import dev.ferry.model.ErrorKind;

/**
 * A job file that cannot be run as written. {@link #kind()} is the error kind of the README's
 * {@code ID.error.json}; the message starts with the JSON path of the field at fault and says what is
 * allowed, so that the person who wrote the job knows what to change without reading code.
 */
public final class JobRejectedException extends Exception {
    /** Schema problems: bad JSON, empty, binary, too large, wrong field types or values, bad id. */
    public static final String INVALID_JOB = ErrorKind.INVALID_JOB.word();
    /** A connection name that ferry.properties does not define. */
    public static final String UNKNOWN_CONNECTION = ErrorKind.UNKNOWN_CONNECTION.word();
    /** A file source that is missing, unreadable or outside {@code source.file.allowedDirs}. */
    public static final String SOURCE_ERROR = ErrorKind.SOURCE_ERROR.word();

    private final String kind;
    private final String field;

    /**
     * @param kind    one of {@link #INVALID_JOB}, {@link #UNKNOWN_CONNECTION}, {@link #SOURCE_ERROR}
     * @param field   JSON path of the field at fault (e.g. {@code source.path}), or {@code null} when the
     *                whole file is at fault
     * @param message the complete message; by convention it starts with {@code field + ": "}
     */
    public JobRejectedException(String kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    static JobRejectedException invalid(String field, String detail) {
        return new JobRejectedException(INVALID_JOB, field, field == null ? detail : field + ": " + detail);
    }

    static JobRejectedException unknownConnection(String field, String detail) {
        return new JobRejectedException(UNKNOWN_CONNECTION, field, field + ": " + detail);
    }

    static JobRejectedException sourceError(String field, String detail) {
        return new JobRejectedException(SOURCE_ERROR, field, field + ": " + detail);
    }

    /** The README's error kind: {@code invalid-job}, {@code unknown-connection} or {@code source-error}. */
    public String kind() {
        return kind;
    }

    /** The JSON path of the field at fault, or {@code null} for whole-file problems. */
    public String field() {
        return field;
    }
}
