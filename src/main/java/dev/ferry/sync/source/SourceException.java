package dev.ferry.sync.source;

import dev.ferry.sync.retry.ErrorClassifier;

/**
 * A permanent problem with a job's source (unreadable file, malformed line, a checkpoint that no
 * longer fits the file). Retrying does not help; the message says what to fix, e.g.
 * {@code "line 17: not valid JSON: ..."}.
 */
public class SourceException extends Exception implements ErrorClassifier.Permanent {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
